"""partytui's engine; it never imports Textual. Its folders follow the flow:

- ``truth/``: the event vocabulary, the append-only log, the fold into state, the session where events enter
- ``team/``: the agents run together (orchestrator), tasks, the approval broker, policy, mirror and gates
- ``runtimes/``, ``tools/``, ``providers/``: how an agent runs, what it can do, the models it talks to
- ``attach/``: a team in its own process, and the views that attach to it over a socket
- ``views/``: Textual-free views of the fold (safe text, diffs, headless progress, summary)
"""
