"""partytui's engine: agents, tools, providers, the session log and its state. It never imports Textual."""
