"""Commands that read documents: ``kg extract``, ``kg eval`` and ``kg build``."""
from __future__ import annotations

import json
import sys

import click

from kg.cli._progress import progress_callbacks


def _fail_lines(errors) -> None:
    for e in errors:
        click.echo(f"error: {e}", err=True)


@click.command("extract")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True,
              help="jsonl: one JSON object per line; json: one array.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Where to write (default stdout).")
@click.option("--workers", type=int, default=None, help="Processes to use (default: all cores).")
def extract(paths, fmt, output, workers):
    """Extract responsibilities and entity mentions from PATHS (files or folders).

    Each record is a JSON object: kind = document | responsibility | entity | unresolved.
    Spans are raw-file character offsets; "source" is the input path as given.
    Files that cannot be read get a one-line error on stderr, the rest still produce
    records, and the exit code is 1.
    """
    from kg.errors import InputError
    from kg.pipeline import discover, process_many
    from kg.records import records

    files = discover(paths)
    if not files:
        raise click.ClickException(f"no documents found under {' '.join(paths)} (readable: .txt .md .html .docx .pdf)")
    start, done, stop = progress_callbacks("extracting", len(files))
    outcomes = process_many(files, workers=workers, on_done=done)
    stop()
    errors = [r for r in outcomes if isinstance(r, InputError)]
    rows = [rec for r in outcomes if not isinstance(r, InputError) for rec in records(r)]
    if fmt == "jsonl":
        for rec in rows:
            output.write(json.dumps(rec, ensure_ascii=False) + "\n")
    else:
        json.dump(rows, output, ensure_ascii=False, indent=1)
        output.write("\n")
    output.flush()
    _fail_lines(errors)
    if errors:
        sys.exit(1)


@click.command("eval")
@click.option("--gold", "gold", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold JSONL file (repeatable), in the format of eval/gold/.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def eval_(gold, paths, as_json):
    """Score extraction of PATHS (default: corpus/hunan) against gold annotations.

    Prints precision, recall and F1 for lead units, supporting units, task titles
    and each entity type, and canonical-name accuracy.
    """
    from kg.errors import InputError
    from kg.evaluate import evaluate, load_gold
    from kg.pipeline import discover, process_many

    rows = load_gold(gold)
    files = discover(paths or ["corpus/hunan"])
    wanted = {r["doc"] for r in rows}
    files = [f for f in files if f.rsplit("/", 1)[-1] in wanted]
    if not files:
        raise click.ClickException("none of the gold documents were found; give the folder that holds them as PATHS")
    outcomes = process_many(files)
    errors = [r for r in outcomes if isinstance(r, InputError)]
    scores = evaluate([r for r in outcomes if not isinstance(r, InputError)], rows)
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False, indent=1, sort_keys=True))
    else:
        click.echo(format_scores(scores))
    _fail_lines(errors)
    if errors:
        sys.exit(1)


def format_scores(scores: dict) -> str:
    lines = [f"{'metric':<28} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} {'n':>6}"]
    for name in sorted(scores):
        s = scores[name]
        if "f1" in s:
            n = s.get("tp", 0) + s.get("fn", 0)
            lines.append(f"{name:<28} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {'':>6} {n:6d}")
        elif "accuracy" in s:
            lines.append(f"{name:<28} {'':>6} {'':>6} {'':>6} {s['accuracy']:6.3f} {s.get('n', 0):6d}")
    return "\n".join(lines)


@click.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--store", "store_dir", default="store", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the persistent graph store (created if missing).")
@click.option("--exports", "exports_dir", default=None, type=click.Path(file_okay=False),
              help="Also write the exports (TriG, Turtle, JSON-LD, GraphML, CSV) here.")
@click.option("--workers", type=int, default=None, help="Processes to use (default: all cores).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run extraction on an existing Dask distributed cluster.")
@click.option("--full", is_flag=True, help="Re-read every document, not only new or changed ones.")
def build(paths, store_dir, exports_dir, workers, scheduler, full):
    """Build or update the graph store from the documents under PATHS.

    Only new or changed documents are read again (by content hash); documents no
    longer among PATHS have their graphs dropped. The update is all-or-nothing.
    """
    from kg.pipeline import build as run_build

    start, done, stop = progress_callbacks("building", None)
    report = run_build(paths, store_dir, exports_dir=exports_dir, workers=workers, scheduler=scheduler,
                       full=full, keep_results=False, on_start=start, on_done=done)
    stop()
    n_resp = report.responsibilities
    click.echo(
        f"{len(report.processed)} read, {len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(report.errors)} failed; {n_resp} responsibilities from the documents read; store: {store_dir}",
        err=True,
    )
    for src, same in report.duplicates:
        click.echo(f"note: {src}: same content as {same}; stored once", err=True)
    for p in report.exports:
        click.echo(f"wrote {p}", err=True)
    _fail_lines(report.errors)
    if report.errors:
        sys.exit(1)


COMMANDS = [extract, eval_, build]
