"""Textual-free views of the fold: safe text, diffs as data, headless progress lines and the summary."""
