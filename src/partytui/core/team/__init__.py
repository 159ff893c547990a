"""The team: agents run together by the orchestrator, the task board, the approval broker, headless policy, the workspace mirror and the migration gate."""
