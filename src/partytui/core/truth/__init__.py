"""The truth: the event vocabulary, the append-only log, the fold into state, and the session where events enter."""
