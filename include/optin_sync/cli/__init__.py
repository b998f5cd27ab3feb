"""The ``optin-sync`` command line. ``main`` is the console script's entry point."""

from optin_sync.cli.main import main

__all__ = ["main"]
