"""``partytui bench``: measures the real app and engine (streaming, approvals, long sessions, the log,
start-up), with the naive way of streaming measured beside it in the same run. One module per section."""
