"""Run the command line as ``python -m optin_sync.cli``."""

import sys

from optin_sync.cli.main import main

sys.exit(main())
