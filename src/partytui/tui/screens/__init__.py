"""The app's screens, each with its .tcss beside it: the main screen and the modal screens."""
