"""`gradcraft evaluate DIR`: reload a run written by `gradcraft train` and score it on the test set."""

from __future__ import annotations

import shlex

from rich.console import Console
from rich.table import Table

from ..train.reload import evaluate_run
from ..train.wording import plural
from . import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a trained run on its test set",
        description="Rebuild the model of a run directory (config.json + model.safetensors), "
                    "and print its test accuracy, top-k error and confusion matrix.")
    parser.add_argument("run_dir", metavar="DIR", help="a directory written by `gradcraft train`")
    parser.add_argument("--data-dir", metavar="DIR", help="where the dataset's files are now (default: the run's)")
    parser.add_argument("--top-k", type=int, metavar="K", help="k of the top-k error (default min(5, classes - 1))")
    parser.set_defaults(run=run)


def confusion_table(report) -> Table:
    """Rows: true class; columns: predicted class (indices), then the class's recall."""
    names = report.class_names
    table = Table(title="confusion matrix (rows: true class, columns: predicted)", title_justify="left")
    table.add_column("true \\ predicted", no_wrap=True)
    for j in range(len(names)):
        table.add_column(str(j), justify="right")
    table.add_column("recall", justify="right")
    for i, row in enumerate(report.confusion):
        total = int(row.sum())
        cells = [f"[bold]{n}[/bold]" if j == i else ("." if n == 0 else str(n)) for j, n in enumerate(row)]
        recall = f"{row[i] / total:.1%}" if total else "-"
        label = f"{i} {names[i]}" if names[i] != str(i) else str(i)
        table.add_row(label, *cells, recall)
    return table


def run(args) -> int:
    try:
        report = evaluate_run(args.run_dir, data_dir=args.data_dir, top_k=args.top_k)
    except (ValueError, OSError) as error:
        hint = ""
        if args.data_dir is None and any(s in str(error) for s in ("data directory", "files not found", "read from files")):
            hint = " (pass --data-dir DIR: where the dataset's files are now)"
        raise UsageError(f"{error}{hint}") from None
    console = Console(highlight=False, soft_wrap=True)  # lines whole, never cut at 80 columns
    console.print(f"{args.run_dir}: {report.samples} test samples of {report.dataset}")
    if report.interrupted:
        console.print(f"note: the run was interrupted ({report.interrupted}) after "
                      f"{report.epochs_trained} of {plural(report.epochs, 'epoch')}: these are the weights "
                      f"of epoch {report.epochs_trained} (continue it: gradcraft train --resume "
                      f"{shlex.quote(str(args.run_dir))})")
    console.print(f"test accuracy: {report.accuracy:.2%}")
    console.print(f"test loss:     {report.loss:.4f}")
    console.print(f"top-{report.top_k} error:   {report.top_k_error:.2%}")
    table = confusion_table(report)
    # Never let rich shorten counts to "9…" (it does when piped, at 80 columns): widen instead.
    needed = console.measure(table, options=console.options.update(max_width=10_000)).maximum
    console.width = max(console.width, needed)
    console.print(table)
    return 0
