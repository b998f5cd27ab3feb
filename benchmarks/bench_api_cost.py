"""WoowUp requests of one night with 1,000,000 customers, against a connector that spends three calls per profile.

The sandbox generates 1,000,000 WoowUp customers and 81,000 VTEX profiles, about 20,000 of them saved in the window.
`night_world` leaves 2% of the window's profiles with a changed consent. Both nights run the library's steps in
this process against the sandbox over loopback HTTP, with the rate limits raised: `extract_vtex_profiles`,
`extract_woowup_customers`, `plan_channel_updates`, `ensure_opt_in_attribute` and `push_updates`. The sandbox's
request log counts the WoowUp requests by kind.

1. The full-export night finds no index, so it pages every customer and builds one. At 140 requests per minute
   its paging lasts longer than `recheck_after`, so the real load re-reads every customer before writing it, and
   the benchmark makes it do so. The customers it wrote are then put back as they were.
2. The index night plans on that index. Between the two nights, a few customers about to be enabled get a
   `bounce` on `mailing` in WoowUp. The load re-reads them and must leave `mailing` alone.

The paging runs at the full 1,000,000 customers. The whole benchmark takes 7 to 10 minutes on a shared 2-core
machine, with 5 GiB peak memory, most of it in generating the world, paging it and planning on it twice.
"""

from __future__ import annotations

import copy
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from benchmarks import night_world as world
from optin_sync.load import journal as j
from optin_sync.run.context import RunContext
from optin_sync.run.extract import FULL_EXPORT, INDEX, extract_vtex_profiles, extract_woowup_customers
from optin_sync.run.loading import ensure_opt_in_attribute, push_updates
from optin_sync.run.planning import plan_channel_updates
from optin_sync.sandbox import SandboxCredentials, SandboxServer
from optin_sync.settings import Settings, load_settings
from optin_sync.snapshots.zones import Zones
from optin_sync.sources.vtex import VtexCredentials
from optin_sync.sources.woowup import PAGE_LIMIT, WoowUpCredentials
from optin_sync.windows import Window, local_day_window

TITLE = "WoowUp API cost of a night"
CUSTOMERS = 1_000_000
PROFILES = 81_000
CHANGED_SHARE = 0.02
LATE_BOUNCES = 10
SEED = 7
RATE_PER_MINUTE = 140
CONNECTOR_CALLS_PER_PROFILE = 3
INDEX_NIGHTS_PER_WEEK = 6
TARGET_RATIO = 10.0
UNLIMITED = 10_000_000

USERS = ("GET", "/apiv3/users")
FIND = ("GET", "/apiv3/multiusers/find")
ATTRIBUTES = "/apiv3/account/custom-attributes"


def export_pages(customers: int, limit: int = PAGE_LIMIT) -> int:
    """Return the `GET /users` requests of a full export: the full pages, then the short or empty page that ends it."""
    return customers // limit + 1


@dataclass(frozen=True)
class NightCost:
    """WoowUp requests of one night by kind, and the night's wall time here with the limits raised."""

    pages: int
    finds: int
    writes: int
    attribute_calls: int
    other: int
    seconds: float

    @property
    def total(self) -> int:
        return self.pages + self.finds + self.writes + self.attribute_calls + self.other


def count_requests(entries: list[dict], seconds: float) -> NightCost:
    """Count the WoowUp requests of a slice of the sandbox's request log by kind."""
    kinds = [(entry["method"], entry["path"]) for entry in entries if entry["api"] == "woowup"]
    attribute_calls = sum(1 for _, path in kinds if path == ATTRIBUTES)
    known = kinds.count(USERS) + kinds.count(FIND) + kinds.count(world.WRITE) + attribute_calls
    return NightCost(pages=kinds.count(USERS), finds=kinds.count(FIND), writes=kinds.count(world.WRITE),
                     attribute_calls=attribute_calls, other=len(kinds) - known, seconds=seconds)


@dataclass
class Measurement:
    """Both nights' costs, the counts behind them, and the checks of the index night's writes."""

    customers: int
    window_profiles: int
    read_profiles: int
    full_export: NightCost
    index: NightCost
    planned_writes: int
    unchanged_on_recheck: int
    changed_customers: int
    changed_as_expected: int
    writes_not_applied: int
    protected_channels_written: int
    customers_changed_without_write: int
    peak_rss_gib: float
    steps: dict = field(default_factory=dict)

    @property
    def weekly_mean(self) -> float:
        return (INDEX_NIGHTS_PER_WEEK * self.index.total + self.full_export.total) / (INDEX_NIGHTS_PER_WEEK + 1)

    @property
    def connector(self) -> int:
        return CONNECTOR_CALLS_PER_PROFILE * self.window_profiles


class Night:
    """The library's steps of one run against the sandbox, and the slice of the request log they caused."""

    def __init__(self, server: SandboxServer, data_dir: Path, window: Window) -> None:
        self.server = server
        self.window = window
        self.vtex = (server.url, VtexCredentials(server.credentials.vtex_app_key, server.credentials.vtex_app_token))
        self.woowup = (f"{server.url}/apiv3", WoowUpCredentials(server.credentials.woowup_api_key))
        self.base = {"data_dir": data_dir, "pii_mode": "clear", "woowup_rate_limit_per_minute": UNLIMITED,
                     "max_attempts": 2}

    def settings(self, **overrides: object) -> Settings:
        return load_settings(**{**self.base, **overrides})

    def log_position(self) -> int:
        with self.server.state.lock:
            return len(self.server.state.request_log)

    def log_since(self, position: int) -> list[dict]:
        with self.server.state.lock:
            return self.server.state.request_log[position:]

    def plan(self, run_id: str, settings: Settings) -> tuple[RunContext, dict]:
        ctx = RunContext.create(run_id, self.window)
        steps = {"vtex": extract_vtex_profiles(ctx, settings, *self.vtex),
                 "woowup": extract_woowup_customers(ctx, settings, *self.woowup),
                 "plan": plan_channel_updates(ctx, settings)}
        return ctx, steps

    def load(self, ctx: RunContext, settings: Settings) -> dict:
        ensure_opt_in_attribute(ctx, settings, *self.woowup)
        return push_updates(ctx, settings, *self.woowup)


def full_export_night(night: Night, customers: int) -> tuple[NightCost, dict]:
    """Run a night without an index and put back the customers it wrote. Return its cost and step results."""
    default = night.settings().recheck_after
    paging = timedelta(minutes=export_pages(customers) / RATE_PER_MINUTE)
    settings = night.settings(recheck_after=timedelta(0) if paging > default else default)
    position, started = night.log_position(), time.monotonic()

    ctx, steps = night.plan("bench-full-export", settings)
    if steps["woowup"]["source"] != FULL_EXPORT:
        raise RuntimeError(f"the first night read WoowUp from {steps['woowup']['source']!r}, expected a full "
                           "export because the data folder is new")
    planned = Zones(settings).read("planned_writes", ctx.key)["userapp_id"]
    state = night.server.state
    with state.lock:
        saved = [copy.deepcopy(state.woowup_users[int(userapp_id)]) for userapp_id in planned]
    steps["load"] = night.load(ctx, settings)
    cost = count_requests(night.log_since(position), time.monotonic() - started)

    with state.lock:
        for customer in saved:
            state.customer_lookup.store(customer)
    return cost, steps


def index_night(night: Night) -> tuple[NightCost, dict, list[dict], RunContext]:
    """Run a night on the index. Return its cost, step results, slice of the request log and run context."""
    settings = night.settings()
    position, started = night.log_position(), time.monotonic()
    ctx, steps = night.plan("bench-index", settings)
    if steps["woowup"]["source"] != INDEX:
        raise RuntimeError(f"the second night read WoowUp from {steps['woowup']['source']!r}, expected the "
                           "index that the first night wrote")
    steps["load"] = night.load(ctx, settings)
    entries = night.log_since(position)
    return count_requests(entries, time.monotonic() - started), steps, entries, ctx


def measure(customers: int = CUSTOMERS, profiles: int = PROFILES, *, seed: int = SEED,
            changed_share: float = CHANGED_SHARE, late_bounces: int = LATE_BOUNCES) -> Measurement:
    """Generate the world, run the full-export night and then the index night, and check the index night."""
    window = local_day_window(world.ANCHOR - timedelta(days=1), world.TIMEZONE)
    with (tempfile.TemporaryDirectory(prefix="bench-api-cost-") as folder,
          SandboxServer(credentials=SandboxCredentials.generate()) as server):
        scenario = world.generate_world(server, customers, profiles, seed, UNLIMITED)
        expected = world.keep_changed_share(server, scenario, changed_share)
        night = Night(server, Path(folder), window)
        full, full_steps = full_export_night(night, customers)

        world.bounce_late(server, expected, scenario["customers"]["needs_enable"], late_bounces)
        protected = world.protected_channels(server)
        updated_before = world.update_times(server)
        index, index_steps, entries, ctx = index_night(night)

        decisions = Zones(night.settings()).read("decisions", ctx.key)
        return Measurement(
            customers=customers,
            window_profiles=scenario["counts"]["window_profiles"],
            read_profiles=index_steps["vtex"]["profiles"],
            full_export=full,
            index=index,
            planned_writes=index_steps["plan"]["writes"].get("planned", 0),
            unchanged_on_recheck=index_steps["load"]["results"].get(j.UNCHANGED_ON_RECHECK, 0),
            changed_customers=len(expected),
            changed_as_expected=world.as_expected(server, expected),
            writes_not_applied=world.writes_not_applied(server, decisions, protected),
            protected_channels_written=world.protected_written(server, protected, entries),
            customers_changed_without_write=world.changed_without_write(server, updated_before, entries),
            peak_rss_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            steps={"full_export": full_steps, "index": index_steps},
        )


def _requests(requests: float) -> str:
    return f"{requests:,.0f} requests, {requests / RATE_PER_MINUTE:,.1f} min"


def _breakdown(cost: NightCost) -> str:
    return (f"{cost.pages:,} `GET /users` + {cost.finds:,} `GET /multiusers/find` + {cost.writes:,} "
            f"`PUT /multiusers` + {cost.attribute_calls} `GET /account/custom-attributes`")


def _check(measure_name: str, value: int, target: int, text: str | None = None) -> tuple:
    return (measure_name, text or f"{value:,}", f"{target:,}", value == target)


def _recheck_note(result: Measurement) -> str:
    minutes = export_pages(result.customers) / RATE_PER_MINUTE
    if result.full_export.finds:
        return (f"At 140 requests per minute the paging lasts {minutes:.0f} minutes, longer than `recheck_after`, "
                "so this night re-reads each customer before writing it too.")
    return f"At 140 requests per minute the paging lasts {minutes:.1f} minutes, within `recheck_after`."


def rows(result: Measurement) -> list[tuple]:
    """Return the table rows: requests and minutes at the limit, the ratios to the connector, and the checks."""
    connector, weekly = result.connector, result.weekly_mean
    index_ratio, weekly_ratio = connector / result.index.total, connector / weekly
    pages = export_pages(result.customers)
    return [
        ("index night: WoowUp requests, minutes at 140/min", _requests(result.index.total), "", True),
        ("full-export night: WoowUp requests, minutes at 140/min", _requests(result.full_export.total), "", True),
        ("weekly mean: 6 index nights and 1 full export", _requests(weekly), "", True),
        (f"connector model: {CONNECTOR_CALLS_PER_PROFILE} calls x {result.window_profiles:,} profiles",
         _requests(connector), "", True),
        ("index night: connector requests / ours", f"{index_ratio:.1f}x", f">= {TARGET_RATIO:.0f}x",
         index_ratio >= TARGET_RATIO),
        ("weekly mean: connector requests / ours", f"{weekly_ratio:.1f}x", f">= {TARGET_RATIO:.0f}x",
         weekly_ratio >= TARGET_RATIO),
        ("full-export night: connector requests / ours", f"{connector / result.full_export.total:.1f}x", "", True),
        _check("index night: `GET /users` requests", result.index.pages, 0),
        _check("index night: finds, against planned writes", result.index.finds, result.planned_writes),
        _check("full-export night: `GET /users`, against floor(N/100)+1", result.full_export.pages, pages),
        _check("index night: changed customers with the expected `mailing`", result.changed_as_expected,
               result.changed_customers, f"{result.changed_as_expected:,} of {result.changed_customers:,}"),
        _check("index night: planned channel writes not applied", result.writes_not_applied, 0),
        _check("index night: protected channels written", result.protected_channels_written, 0),
        _check("index night: customers changed without a write", result.customers_changed_without_write, 0),
        ("wall time here, limits raised: index night / full-export night",
         f"{result.index.seconds:.0f} s / {result.full_export.seconds:.0f} s", "", True),
        ("peak RSS of the measuring process", f"{result.peak_rss_gib:.1f} GiB", "", True),
    ]


def run() -> dict:
    """Measure both nights in a child process, so the peak memory is the measurement's own and is freed after it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(measure).result()
    return {
        "title": TITLE,
        "setup": (f"{result.customers:,} WoowUp customers; {PROFILES:,} VTEX profiles, {result.window_profiles:,} "
                  f"saved in the window and {result.read_profiles:,} read with the 2-hour lookback; "
                  f"{result.changed_customers:,} customers whose consent changed "
                  f"({result.changed_customers / result.window_profiles:.1%} of the window's profiles); "
                  f"{LATE_BOUNCES} bounces after the export. One repetition, because the request counts do not "
                  "vary from run to run"),
        "rows": rows(result),
        "notes": [
            f"Index night: {_breakdown(result.index)}. It plans on the index that the full-export night built by "
            f"paging every customer, re-reads each of the {result.planned_writes:,} customers "
            f"it planned to write, and writes the {result.planned_writes - result.unchanged_on_recheck:,} that "
            "still need a change after the re-read. A customer who got a bounce still gets its `opt_in_vtex` value "
            "and its other channels written, without `mailing`. The planned writes outnumber the changed "
            "customers because the generated data also has shoppers with two profiles and phones shared by chance.",
            f"Full-export night: {_breakdown(result.full_export)}. The paging is measured at "
            f"{result.customers:,} customers and follows floor(N/100)+1 requests: 100 customers per page, then "
            "the short or empty page that ends the export. " + _recheck_note(result),
            f"Connector model, not run: at least {CONNECTOR_CALLS_PER_PROFILE} WoowUp calls for each VTEX profile "
            "it touches (those saved in the window), with no pacing. Minutes are requests divided by 140, "
            "WoowUp's default limit per minute, shared by reads and writes.",
        ],
    }
