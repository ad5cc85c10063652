"""`chatcart run`'s processes: the CPU-heavy background ones start nicer than the API."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from bot.settings import get_settings
from cli.stack import Service, assistant_services, stop_on_sigterm, whatsapp_services

# The child writes the niceness of each of its threads, as the kernel reports it in
# /proc/<pid>/task/<tid>/stat (field 19), once a second thread runs.
REPORT = """
import os, sys, threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
tasks = os.listdir("/proc/self/task")
nice = [int(open(f"/proc/self/task/{t}/stat").read().rsplit(")", 1)[1].split()[16]) for t in tasks]
open(sys.argv[1] + ".tmp", "w").write(" ".join(map(str, nice)))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(60)
"""


def _started(tmp_path: Path, nice: int) -> tuple[Service, list[int]]:
    ready = tmp_path / f"nice-{nice}.ready"
    service = Service(
        f"test-nice-{nice}",
        [sys.executable, "-c", REPORT, str(ready)],
        "",
        timeout=30,
        ready_file=ready,
        nice=nice,
    )
    service.start()
    service.wait_healthy()
    return service, [int(x) for x in ready.read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads niceness from Linux /proc")
def test_a_started_process_and_its_threads_run_at_the_services_niceness(tmp_path: Path) -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    background, plain = _started(tmp_path, 10), _started(tmp_path, 0)
    try:
        for (service, threads), nice in ((background, 10), (plain, 0)):
            assert service.process is not None
            expected = min(19, base + nice)
            assert os.getpriority(os.PRIO_PROCESS, service.process.pid) == expected
            assert len(threads) == 2 and threads == [expected, expected]
    finally:
        background[0].stop()
        plain[0].stop()


def test_the_engine_actions_and_worker_are_background_the_api_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_settings.cache_clear()
    try:
        api, worker = whatsapp_services({}, 8123, run_dir=tmp_path)
        actions, engine = assistant_services(
            "sqlite:///x.db", 5105, 5155, model=tmp_path / "m.tar.gz"
        )
        assert (api.nice, worker.nice, actions.nice, engine.nice) == (0, 10, 10, 10)
        monkeypatch.setenv("BACKGROUND_NICE", "5")
        get_settings.cache_clear()
        api, worker = whatsapp_services({}, 8123, run_dir=tmp_path)
        actions, engine = assistant_services(
            "sqlite:///x.db", 5105, 5155, model=tmp_path / "m.tar.gz"
        )
        assert (api.nice, worker.nice, actions.nice, engine.nice) == (0, 5, 5, 5)
        monkeypatch.setenv("BACKGROUND_NICE", "20")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="less than or equal to 19"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_sigterm_becomes_the_interrupt_that_stops_the_children() -> None:
    before = signal.getsignal(signal.SIGTERM)
    try:
        stop_on_sigterm()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before the next bytecode
    finally:
        signal.signal(signal.SIGTERM, before)
