"""Runs shared by every session that asks for the same config: one training per configuration
however many visitors watch it (single flight), who holds each run, and who wants it trained."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

R = TypeVar("R")


class Shared(Generic[R]):
    """The current run of each config, and per run the sessions holding it (it lives while one
    does) and those that asked it to train (one visitor's Stop does not stop another's run).
    Thread-safe: sessions are script threads of one server."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._current: dict[Hashable, R] = {}  # config -> the run a new holder attaches to
        self._holders: dict[int, set[str]] = {}  # id(run) -> sessions holding it
        self._wants: dict[int, set[str]] = {}  # id(run) -> sessions that asked it to train
        self._runs: dict[int, R] = {}  # id(run) -> run: keeps ids unique while held

    def find(self, key: Hashable) -> R | None:
        with self._lock:
            return self._current.get(key)

    def attach(self, key: Hashable, holder: str, make: Callable[[], R]) -> tuple[R, bool]:
        """The run for `key`, made by `make()` if there is none; (run, whether it was made)."""
        with self._lock:
            run = self._current.get(key)
            made = run is None
            if run is None:
                run = self._current[key] = make()
                self._runs[id(run)] = run
            self._holders.setdefault(id(run), set()).add(holder)
            return run, made

    def detach(self, key: Hashable, run: R, holder: str) -> bool:
        """`holder` lets go of `run`; True when nobody holds it any more (the caller stops it
        and gives its memory back)."""
        with self._lock:
            held = self._holders.get(id(run), set())
            held.discard(holder)
            self._wants.get(id(run), set()).discard(holder)
            if held:
                return False
            for table in (self._holders, self._wants, self._runs):
                table.pop(id(run), None)
            if self._current.get(key) is run:
                del self._current[key]
            return True

    def retire(self, key: Hashable, run: R) -> None:
        """The next holder of `key` gets a new run (Reset); those holding this one keep it."""
        with self._lock:
            if self._current.get(key) is run:
                del self._current[key]

    def holders(self, run: R) -> int:
        with self._lock:
            return len(self._holders.get(id(run), ()))

    def want(self, run: R, holder: str, training: bool) -> None:
        """`holder` asks for `run` to train (or not); `training`: whether it trains now (a run
        that stopped on its own forgets the wishes that started it)."""
        with self._lock:
            wants = self._wants.setdefault(id(run), set())
            if not training:
                wants.clear()
            wants.add(holder)

    def unwant(self, run: R, holder: str) -> int:
        """`holder` no longer wants `run` trained; how many other sessions still do."""
        with self._lock:
            wants = self._wants.get(id(run), set())
            wants.discard(holder)
            return len(wants)
