"""Session setup shared by every test: an isolated Airflow home, and the project's folders on the path."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Airflow reads its home and folders when first imported, so they are set before any test module loads.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="optin-sync-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# The root makes the `benchmarks` package importable for the tests of its generators and references.
for folder in (ROOT, ROOT / "plugins", ROOT / "dags", ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def pytest_collection_modifyitems(config, items):
    """Spread the long property-based tests over the two halves of the run.

    With two xdist workers each worker starts from its own half of the collection. Left together, the property
    tests (minutes each) end up on one worker while the other idles at the end of the run. They alternate here
    between the start of the first half and the start of the second.
    """
    slow = sorted((item for item in items if "/unit/properties/" in str(item.fspath)), key=lambda item: item.name)
    if not slow:
        return
    rest = [item for item in items if item not in slow]
    middle = len(rest) // 2
    first_half, second_half = rest[:middle], rest[middle:]
    for index, item in enumerate(slow):
        half = first_half if index % 2 == 0 else second_half
        half.insert(index // 2, item)
    items[:] = first_half + second_half
