"""A team in its own process: the run lock, the socket protocol, the team's side and the attached view's side."""
