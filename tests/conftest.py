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
for folder in (ROOT / "plugins", ROOT / "dags", ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
