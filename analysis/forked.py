"""Values built by a forked copy of this process, handed back through a pipe as they are done.

The app (:meth:`analysis.pipeline.LazyResults.build_elsewhere`) has the sections of results.json
that its first page does not show built this way while that page is being laid out: a forked
copy has its own interpreter lock, so it runs on the machine's other processor instead of taking
turns with the page (under one lock, a background thread made every page clicked in the first
seconds wait, up to ~0.9 s on the sample). The copy starts from the very objects the page uses
(the loaded study, its cached moments): nothing is read or computed twice, and each value is
what the same builder gives in this process (pickled floats are exact).

Only on Linux with more than one processor (:func:`can_fork`); elsewhere the caller builds the
values itself, as before.
"""
from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable

__all__ = ["ForkedBuilder", "can_fork", "processors", "MAX_RUNNING", "STUCK_SECONDS"]

#: forked builders running at a time (each session's new results start one; more would only
#: share the same processors)
MAX_RUNNING = 2
#: a builder whose process has used no processor time for this long while a caller waits for
#: it is taken as stuck (e.g. on a lock another thread held when it was forked) and stopped:
#: the caller then builds the value itself
STUCK_SECONDS = 2.0

_running = [0]
_running_lock = threading.Lock()


def processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a builder may be forked now: Linux (``os.fork`` elsewhere is missing, Windows, or
    unsafe with system frameworks, macOS), more than one processor, fewer than
    :data:`MAX_RUNNING` builders running."""
    return (sys.platform.startswith("linux") and processors() > 1
            and _running[0] < MAX_RUNNING)


class ForkedBuilder:
    """``build(key)`` of each of ``keys``, in order, in a forked copy of this process; each value
    is passed to ``deliver(key, value)`` (from a thread of this process) as soon as it is done.

    :meth:`take` is how a caller that needs one of the keys gets it: it waits while the copy is
    building that key, and otherwise tells the copy to skip it (the caller builds it itself, which
    costs no more than waiting for the keys before it). A key whose build raises is not
    delivered: the caller's own build then raises the same error where it is shown. The copy
    computes with one BLAS thread (as the command line does; the app's bootstraps already do:
    :func:`analysis.blas.one_blas_thread`), quits on its own once its keys are done or this
    process has gone, and is killed when it looks stuck (:data:`STUCK_SECONDS`).
    """

    def __init__(self, build: Callable[[str], Any], keys: list[str],
                 deliver: Callable[[str], Any]):
        self._deliver = deliver
        self._delivered: set[str] = set()
        self._building: str | None = None
        self._alive = True
        self._changed = threading.Condition()
        answers, answer = os.pipe()
        skips, skip = os.pipe()
        with _running_lock:
            _running[0] += 1
        try:
            pid = os.fork()
        except OSError:
            for end in (answers, answer, skips, skip):
                os.close(end)
            self._end_running()
            raise
        if pid == 0:
            os.close(answers)
            os.close(skip)
            _child(build, keys, answer, skips)
        os.close(answer)
        os.close(skips)
        self._pid, self._skip = pid, skip
        self._cpu = _cpu_seconds(pid)
        threading.Thread(target=self._receive, args=(answers,), daemon=True,
                         name="forked-builder").start()

    def take(self, key: str) -> bool:
        """Wait while the copy is building ``key``; True if it was delivered, False if the caller
        must build it (the copy will not: it skips it from now on, or it has ended)."""
        with self._changed:
            while self._alive and self._building == key:
                if not self._changed.wait(STUCK_SECONDS) and self._stuck():
                    self._stop()
            if key in self._delivered:
                return True
            if self._alive:
                try:
                    os.write(self._skip, key.encode() + b"\n")
                except OSError:  # the copy has just ended
                    pass
            return False

    def wait(self) -> None:
        """Wait until the copy has ended (all its keys delivered, failed or skipped)."""
        with self._changed:
            while self._alive:
                if not self._changed.wait(STUCK_SECONDS) and self._stuck():
                    self._stop()

    def _stop(self) -> None:
        """Stop the copy now (the keys it has not delivered are then built by their callers).
        Called holding ``_changed``, under which the copy is reaped: its id is still its own."""
        if self._alive:
            os.kill(self._pid, signal.SIGKILL)

    def _stuck(self) -> bool:
        """No processor time used since the last look (:data:`STUCK_SECONDS` ago at least)."""
        cpu = _cpu_seconds(self._pid)
        stuck, self._cpu = cpu is not None and cpu == self._cpu, cpu
        return stuck

    def _receive(self, answers: int) -> None:
        """(thread) Take the copy's messages, ("start", key), ("done", key, value) or ("failed",
        key), until it ends; then reap it."""
        with os.fdopen(answers, "rb") as pipe:
            while True:
                try:
                    kind, key, *value = pickle.load(pipe)
                except (EOFError, OSError, pickle.UnpicklingError):
                    break
                if kind == "done":
                    self._deliver(key, value[0])
                with self._changed:
                    self._building = key if kind == "start" else None
                    if kind == "done":
                        self._delivered.add(key)
                    self._changed.notify_all()
        with self._changed:
            os.waitpid(self._pid, 0)  # it has closed its pipe: it is ending
            os.close(self._skip)
            self._end_running()
            self._alive, self._building = False, None
            self._changed.notify_all()

    @staticmethod
    def _end_running() -> None:
        with _running_lock:
            _running[0] -= 1


def _cpu_seconds(pid: int) -> float | None:
    """User + system processor time of a process (Linux: /proc/PID/stat); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _child(build: Callable[[str], Any], keys: list[str], answer: int, skips: int) -> None:
    """The forked copy: build the keys not skipped, send each, and leave without cleaning up
    (the parent's objects, threads and handlers are not this process's to close)."""
    try:
        gc.freeze()  # collections here leave the parent's objects (and their shared pages) alone
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the app's handlers stop its server
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _one_blas_thread()
        os.set_blocking(skips, False)
        skipped: set[str] = set()
        with os.fdopen(answer, "wb") as pipe:
            for key in keys:
                skipped |= _skipped(skips)
                if key in skipped:
                    continue
                _send(pipe, ("start", key))
                try:
                    value = build(key)
                except Exception:  # noqa: BLE001 - the caller builds it again and shows the error
                    _send(pipe, ("failed", key))
                    continue
                _send(pipe, ("done", key, value))
    finally:
        os._exit(0)


def _send(pipe, message: tuple) -> None:
    pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.flush()


def _skipped(skips: int) -> set[str]:
    """The keys the parent has said it builds itself since the last look (one a line)."""
    lines = b""
    try:
        while chunk := os.read(skips, 4096):
            lines += chunk
    except BlockingIOError:
        pass
    return set(lines.decode().split())


def _one_blas_thread() -> None:
    """BLAS on one thread for the rest of this process, and :func:`analysis.blas.one_blas_thread`
    told so (``OPENBLAS_NUM_THREADS=1``, as the command line sets it), so that it never takes its
    lock, which a thread of the parent may have held at the fork."""
    from threadpoolctl import threadpool_limits

    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    threadpool_limits(limits=1, user_api="blas")
