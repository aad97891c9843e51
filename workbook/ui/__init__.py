"""ipywidgets views: forms built from exercise declarations, pages, and the app."""

from workbook.ui.app import App, app, tool

__all__ = ["App", "app", "tool"]
