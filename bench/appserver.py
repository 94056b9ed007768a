"""Start the real app on a free loopback port and open Debian's Chromium on it (tests, benches)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags that work on these machines (see DESIGN.md): no sandbox as root, and no background
# networking, whose connections the closed network refuses many at a time.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 60.0, script: str | Path = "app.py"):
    """Yield (url, process) of `streamlit run app.py` (or another script, run from the project's
    folder), healthy; stop it afterwards. Without Streamlit's file watcher: files saved in the
    tree while a test or bench runs would otherwise reload the app's modules under it (a new
    training service that does not know the runs in progress, a target no longer equal to
    itself: "bimodal (edited)")."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--client.showErrorDetails",
            "full",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(
                    "streamlit did not answer /_stcore/health:\n"
                    + (proc.stdout.read() if proc.stdout else "")
                )
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
