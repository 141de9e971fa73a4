"""What `fit(verbose=True)` shows: a live progress bar per epoch, then one table row per epoch.

The bar (running loss and accuracy of the epoch so far) is drawn only on an interactive
terminal and disappears when the epoch ends; the table rows and notes are plain lines, so a
log file, a pipe or CI gets clean text without control codes.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["SilentProgress", "RichProgress", "format_row", "HEADER"]

HEADER = f"{'epoch':>7}  {'train loss':>10}  {'train acc':>9}  {'val loss':>9}  {'val acc':>8}  {'lr':>9}  {'time':>7}"


def _number(value, width: int, spec: str) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def format_row(record: dict, epochs: int) -> str:
    """One epoch as a line aligned under HEADER."""
    epoch = f"{record['epoch']}/{epochs}"
    return "  ".join([
        f"{epoch:>7}",
        _number(record["train_loss"], 10, ".4f"),
        _number(record["train_acc"], 9, ".2%"),
        _number(record["val_loss"], 9, ".4f"),
        _number(record["val_acc"], 8, ".2%"),
        _number(record["lr"], 9, ".3g"),
        f"{record['seconds']:>6.2f}s",
    ])


class SilentProgress:
    """Shows nothing (`fit(verbose=False)`)."""

    def train_begin(self, epochs: int, first_epoch: int) -> None: ...

    def epoch_begin(self, epoch: int, steps: int | None) -> None: ...

    def step(self, loss: float, accuracy: float | None) -> None: ...

    def epoch_end(self, record: dict) -> None: ...

    def note(self, text: str) -> None: ...

    def train_end(self) -> None: ...


class RichProgress(SilentProgress):
    """Progress bar and per-epoch table through a rich Console (stdout unless given)."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console()
        self.bar = None
        self.task = None
        self.epochs = 0

    def train_begin(self, epochs: int, first_epoch: int) -> None:
        self.epochs = epochs
        if first_epoch > 1:
            self.console.print(f"resuming at epoch {first_epoch} of {epochs}", highlight=False)
        self.console.print(HEADER, style="bold", highlight=False)

    def epoch_begin(self, epoch: int, steps: int | None) -> None:
        if not self.console.is_terminal:
            return
        self.bar = Progress(
            TextColumn(f"epoch {epoch}/{self.epochs}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[metrics]}"), TimeElapsedColumn(),
            console=self.console, transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("train", total=steps, metrics="")

    def step(self, loss: float, accuracy: float | None) -> None:
        if self.bar is not None:
            metrics = f"loss {loss:.4f}" + ("" if accuracy is None else f"  acc {accuracy:.2%}")
            self.bar.update(self.task, advance=1, metrics=metrics)

    def epoch_end(self, record: dict) -> None:
        self._stop_bar()
        self.console.print(format_row(record, self.epochs), highlight=False, soft_wrap=True)

    def note(self, text: str) -> None:
        self.console.print(text, highlight=False, soft_wrap=True)

    def train_end(self) -> None:
        self._stop_bar()

    def _stop_bar(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
