"""A progress bar on stderr for long commands (rich), silent when stderr is not a terminal."""
from __future__ import annotations

import sys


def progress_callbacks(label: str, total: int | None):
    """Return ``(start(total), done(item), stop())`` callbacks driving one progress bar."""
    if not sys.stderr.isatty():
        return (lambda n: None), (lambda item: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    task = prog.add_task(label, total=total)
    prog.start()

    def start(n):
        prog.update(task, total=n)

    def done(item):
        prog.advance(task)

    return start, done, prog.stop
