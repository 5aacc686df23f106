"""A Celery app on Haven's filesystem broker, for tests/core/test_filesystem_broker.py: its one task
appends the number it is given to a file, so the test can count what the worker ran."""

import os

from celery import Celery

FOLDER = os.environ.get("BROKER_TEST_DIR", "/nonexistent")

# set_as_current=False: imported by the test process too, where it must not replace Haven's app
# (shared tasks resolve to the current app).
app = Celery("broker-test", set_as_current=False)
app.conf.update(
    broker_url="filesystem://",
    broker_transport="core.filesystem_broker:Transport",
    broker_transport_options={
        "data_folder_in": os.path.join(FOLDER, "broker"),
        "data_folder_out": os.path.join(FOLDER, "broker"),
        "processed_folder": os.path.join(FOLDER, "broker-processed"),
        "control_folder": os.path.join(FOLDER, "broker-control"),
        "store_processed": False,
        "polling_interval": 0.1,
    },
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)


@app.task(name="record")
def record(number: int, padding: str = "") -> None:
    # One short O_APPEND write per task: lines from two threads never interleave.
    fd = os.open(os.path.join(FOLDER, "ran.txt"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{number}\n".encode())
    finally:
        os.close(fd)
