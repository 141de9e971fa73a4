"""SIGINT and SIGTERM at safe points: what lets `gradcraft train` keep its work when stopped.

- `interruptible()`: inside the block, SIGINT (Ctrl-C) and SIGTERM (`kill PID`, a job
  scheduler's stop) raise `Interrupted`, a KeyboardInterrupt that names the signal. Python by
  itself turns only SIGINT into an exception; SIGTERM would end the process on the spot, and
  nothing could write down what was done.
- `deferred_signals()`: a signal arriving inside the block is handled when the block ends,
  exactly as it would have been without the block. `ModelCheckpoint` writes inside one, so a
  stop lands after the checkpoint of the epoch that just ended, never in the middle of it.

Python delivers signals to the main thread only; in other threads both are no-ops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

__all__ = ["Interrupted", "interruptible", "deferred_signals", "STOP_SIGNALS"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """Raised inside `interruptible()` when a stop signal arrives; `signal` is its name ('SIGINT')."""

    def __init__(self, signum: int):
        self.signal = signal.Signals(signum).name
        super().__init__(self.signal)


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def interruptible(signals=STOP_SIGNALS):
    """Turn `signals` into `Interrupted` exceptions inside the block (handlers restored after)."""
    if not _in_main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_interrupted) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def deferred_signals(signals=STOP_SIGNALS):
    """Hold back `signals` until the block ends, then handle the first one that came as its
    previous handler would have (raise, run, terminate, or ignore)."""
    if not _in_main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for s in signals:
        if signal.getsignal(s) is not None:  # None: a handler not set from Python; leave it be
            previous[s] = signal.signal(s, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if received:
            _deliver(received[0], previous[received[0]])


def _deliver(signum: int, handler) -> None:
    if callable(handler):
        handler(signum, None)            # e.g. Python's SIGINT handler: raises KeyboardInterrupt
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)     # the default action, now that it is restored
