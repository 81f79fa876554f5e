"""The PySide6 desktop GUI: main window, views, Qt models over services, background operations."""
