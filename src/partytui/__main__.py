from partytui.cli import main

raise SystemExit(main())
