"""The Textual interface: the main screen, its widgets and the modal screens. Built with ``make_app``."""

from .app import PartyApp, make_app

__all__ = ["PartyApp", "make_app"]
