# The image of every Airflow service in docker-compose.yml: the Airflow release that uv.lock pins, the project's
# locked requirements, the optin_sync package, and the DAG and plugin files.
# NOTE: no image has been built from this file here, because the development machine runs no Docker engine;
# tests/unit/deploy/test_compose.py checks its structure and that it installs exactly what uv.lock pins.
FROM apache/airflow:3.3.2

# requirements.lock.txt is `make requirements`: uv.lock exported without dev tools, with the celery extra.
# Installing it pins every package, apache-airflow included, to the versions the tests ran with.
COPY --chown=airflow:0 requirements.lock.txt /opt/optin-sync/requirements.lock.txt
RUN pip install --no-cache-dir -r /opt/optin-sync/requirements.lock.txt

# The package itself, without dependencies: they all come from the lock above.
COPY --chown=airflow:0 pyproject.toml README.md /opt/optin-sync/
COPY --chown=airflow:0 include /opt/optin-sync/include
RUN pip install --no-cache-dir --no-deps /opt/optin-sync

COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
