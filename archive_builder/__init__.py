"""archive_builder: a static-site generator for documentary archives."""

__version__ = "0.1.0"
