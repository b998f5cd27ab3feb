"""A strict local fake of VTEX Master Data (CL) and WoowUp apiv3, for tests and benchmarks.

`SandboxServer` serves both APIs on one loopback port. See `settings` for the fault settings,
`generator` for generated data, and `python -m optin_sync.sandbox --help` for the command line.
"""

from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.server import SandboxServer
from optin_sync.sandbox.state import SandboxCredentials, SandboxState

__all__ = ["BadRequest", "SandboxCredentials", "SandboxServer", "SandboxState"]
