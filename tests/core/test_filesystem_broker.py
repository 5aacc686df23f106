"""The demo's broker (kombu's filesystem transport, made atomic in core/filesystem_broker.py): a
consumer never sees a message that is still being written, and a real worker consumes 500 tasks
published while it runs, each exactly once, without crashing."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

ROOT = Path(__file__).resolve().parents[2]
# Big messages take long enough to write that a consumer listing the folder meanwhile would find
# them half-written, as the demo's worker did with kombu's own filesystem transport.
PADDING = "x" * 512 * 1024


def _options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "broker"),
        "data_folder_out": str(folder / "broker"),
        "processed_folder": str(folder / "broker-processed"),
        "control_folder": str(folder / "broker-control"),
        "store_processed": False,
    }


@pytest.fixture
def channel(tmp_path):
    for name in ("broker", "broker-processed", "broker-control"):
        (tmp_path / name).mkdir()
    with Connection(
        "filesystem://", transport="core.filesystem_broker:Transport", transport_options=_options(tmp_path)
    ) as connection:
        yield connection.default_channel


def test_a_published_message_appears_whole_under_its_final_name_only(channel, tmp_path):
    channel._put("celery", {"body": "x" * 100_000})

    names = os.listdir(tmp_path / "broker")
    assert len(names) == 1 and names[0].endswith(".celery.msg")  # no temporary file left behind
    assert channel._get("celery") == {"body": "x" * 100_000}


def test_a_message_still_being_written_is_not_taken(channel, tmp_path):
    # given a publisher half-way through writing (its hidden temporary file)
    (tmp_path / "broker" / ".partial-0123abcd").write_bytes(b'{"body": "half')

    # then a consumer finds nothing to take
    with pytest.raises(Empty):
        channel._get("celery")


def test_a_claimed_message_is_gone_for_the_next_consumer(channel):
    channel._put("celery", {"n": 1})

    assert channel._get("celery") == {"n": 1}
    with pytest.raises(Empty):
        channel._get("celery")


def test_a_worker_consumes_500_tasks_published_while_it_runs_each_once_without_crashing(tmp_path):
    # given a real Celery worker (two threads) on the filesystem broker
    for name in ("broker", "broker-processed", "broker-control"):
        (tmp_path / name).mkdir()
    env = {**os.environ, "BROKER_TEST_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.core.broker_app", "worker", "-P", "threads", "-c", "2"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    ran = tmp_path / "ran.txt"
    try:
        deadline = time.monotonic() + 60
        while "ready." not in (tmp_path / "worker.log").read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)

        # when two publishers send 250 tasks each while the worker consumes
        os.environ["BROKER_TEST_DIR"] = str(tmp_path)
        from tests.core import broker_app

        broker_app.app.conf.broker_transport_options = _options(tmp_path)

        def publish(start: int) -> None:
            with broker_app.app.connection_for_write() as connection:
                for number in range(start, start + 250):
                    broker_app.record.apply_async((number, PADDING), connection=connection)

        publishers = [threading.Thread(target=publish, args=(start,)) for start in (0, 250)]
        for thread in publishers:
            thread.start()
        for thread in publishers:
            thread.join()

        # then every task ran exactly once, and the worker is still up with no error in its log
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if ran.exists() and len(ran.read_text().split()) >= 500:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.3)
        numbers = [int(n) for n in ran.read_text().split()]
        assert sorted(numbers) == list(range(500))
        assert worker.poll() is None
        output = (tmp_path / "worker.log").read_text()
        assert "Traceback" not in output and "ERROR" not in output, output[-3000:]
        assert os.listdir(tmp_path / "broker") == []
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
