"""Command line: generate data, serve the sandbox on loopback until SIGTERM or SIGINT.

Credentials come from OPTIN_SYNC_SANDBOX_VTEX_APP_KEY, OPTIN_SYNC_SANDBOX_VTEX_APP_TOKEN and
OPTIN_SYNC_SANDBOX_WOOWUP_API_KEY. Unset ones are generated and never printed; give
--credentials-file to receive them as JSON. After a crash fault, SIGHUP resumes serving on the
same port with the same data.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from optin_sync.sandbox.generator import DEFAULT_TIMEZONE, GenerationRequest
from optin_sync.sandbox.messages import BadRequest
from optin_sync.sandbox.server import SandboxServer
from optin_sync.sandbox.state import SandboxCredentials

logger = logging.getLogger("optin_sync.sandbox")

ENVIRONMENT = {
    "vtex_app_key": "OPTIN_SYNC_SANDBOX_VTEX_APP_KEY",
    "vtex_app_token": "OPTIN_SYNC_SANDBOX_VTEX_APP_TOKEN",
    "woowup_api_key": "OPTIN_SYNC_SANDBOX_WOOWUP_API_KEY",
}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = GenerationRequest()
    parser = argparse.ArgumentParser(prog="python -m optin_sync.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port, 0 for a free one (default 8765)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of the generated data")
    parser.add_argument("--profiles", type=int, default=defaults.profiles, help="number of VTEX CL documents")
    parser.add_argument("--customers", type=int, default=defaults.customers, help="number of WoowUp customers")
    parser.add_argument("--anchor-date", type=date.fromisoformat, default=None,
                        help="local date of 'today' as YYYY-MM-DD; the window is the day before (default: today)")
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE, help=f"IANA time zone of the store (default {DEFAULT_TIMEZONE})")
    parser.add_argument("--rate-limit", type=int, default=140, help="WoowUp requests per minute (default 140)")
    parser.add_argument("--define-opt-in-attribute", action="store_true",
                        help="define the opt_in_vtex custom attribute in WoowUp (default: left undefined)")
    parser.add_argument("--credentials-file", type=Path, default=None,
                        help="write the accepted credentials to this file as JSON, mode 0600")
    return parser.parse_args(argv)


def credentials_from_environment() -> SandboxCredentials:
    generated = SandboxCredentials.generate()
    values = {field: os.environ.get(variable) or getattr(generated, field) for field, variable in ENVIRONMENT.items()}
    return SandboxCredentials(**values)


def write_credentials(path: Path, credentials: SandboxCredentials) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({field: getattr(credentials, field) for field in ENVIRONMENT}, handle)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)
    arguments = parse_arguments(argv)
    credentials = credentials_from_environment()
    try:
        server = SandboxServer(arguments.host, arguments.port, credentials)
        generate = {
            "seed": arguments.seed,
            "profiles": arguments.profiles,
            "customers": arguments.customers,
            "timezone": arguments.timezone,
            "define_opt_in_attribute": arguments.define_opt_in_attribute,
        }
        if arguments.anchor_date is not None:
            generate["anchor_date"] = arguments.anchor_date.isoformat()
        server.reset({"generate": generate, "settings": {"rate_limit_per_minute": arguments.rate_limit}})
    except (ValueError, BadRequest) as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    if arguments.credentials_file is not None:
        write_credentials(arguments.credentials_file, credentials)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=server.restart, daemon=True).start())

    try:
        server.start()
    except OSError as error:
        print(f"sandbox: cannot listen on {arguments.host}:{arguments.port}: {error}", file=sys.stderr)
        return 1
    print(f"sandbox listening url={server.url}", flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    logger.info("sandbox stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
