"""``kg query``, ``kg leads`` and ``kg export``: ask the graph, answer the headline question, export."""
from __future__ import annotations

import contextlib
from pathlib import Path

import click

STORE_HELP = "Graph store directory written by `kg build`."
ENDPOINT_HELP = "A SPARQL 1.1 endpoint URL to ask instead of a local store (e.g. http://127.0.0.1:7878/query)."


@contextlib.contextmanager
def _source(store_dir, endpoint):
    """Yield ``(store, endpoint)`` for :func:`kg.query.run`; exactly one is set."""
    if bool(store_dir) == bool(endpoint):
        raise click.ClickException("give exactly one of --store DIR or --endpoint URL")
    if endpoint:
        yield None, endpoint
        return
    if not Path(store_dir).is_dir():
        raise click.ClickException(f"{store_dir}: no such store directory; build one with "
                                   f"`kg build CORPUS --store {store_dir}`")
    from kg.errors import KgError
    from kg.store import open_store

    try:
        gs = open_store(store_dir, read_only=True)
    except (KgError, OSError) as e:
        raise click.ClickException(f"{store_dir}: {e}") from e
    try:
        yield gs, None
    finally:
        gs.close()


def _bindings(pairs) -> dict:
    out = {}
    for p in pairs:
        if "=" not in p:
            raise click.ClickException(f"--bind {p!r}: write it as VAR=VALUE, e.g. --bind name=省发改委")
        k, v = p.split("=", 1)
        out[k.strip().lstrip("?$")] = v
    return out


def _named_list() -> str:
    from kg.query import describe_query, named_queries

    return "\n".join(f"  {n:28} {describe_query(t)[:110]}" for n, t in named_queries().items())


@click.command("query")
@click.argument("sparql", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False), help=STORE_HELP)
@click.option("--endpoint", help=ENDPOINT_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "turtle"]), default="table",
              show_default=True, help="Output format (turtle: CONSTRUCT/DESCRIBE queries).")
@click.option("--bind", "binds", multiple=True, metavar="VAR=VALUE",
              help="Bind a query variable, e.g. --bind name=省发改委 (repeatable). <IRI> for an IRI.")
@click.option("--list", "list_", is_flag=True, help="List the named queries and exit.")
def query(sparql, store_dir, endpoint, fmt, binds, list_):
    """Run SPARQL over the graph (the union of all document graphs).

    SPARQL is query text, a FILE.rq, or the name of a query in kg/queries
    (see --list). The prefixes kg:, skos:, dcterms:, prov:, org:, … are predeclared.

    \b
    Examples:
      kg query department_leads --store store --bind name=省发改委
      kg query "SELECT ?n WHERE { ?d a kg:GovernmentBody ; skos:prefLabel ?n }" --store store --format csv
    """
    if list_:
        click.echo(_named_list())
        return
    if not sparql:
        raise click.ClickException("give a query: SPARQL text, a FILE.rq or a named query (kg query --list)")
    from kg.errors import KgError
    from kg.query import load_query, run

    try:
        text = load_query(sparql)
        with _source(store_dir, endpoint) as (store, ep):
            out = run(text, store=store, endpoint=ep, bindings=_bindings(binds)).to(fmt)
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(out, nl=False)


@click.command("leads")
@click.argument("name", required=False)
@click.option("--store", "store_dir", type=click.Path(file_okay=False), help=STORE_HELP)
@click.option("--endpoint", help=ENDPOINT_HELP)
@click.option("--all", "all_", is_flag=True, help="List every responsibility in the graph instead.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def leads(name, store_dir, endpoint, all_, fmt):
    """Which programmes and tasks does department NAME lead or support, and where does it say so?

    NAME may be any alias (省发改委) or the full name (湖南省发展和改革委员会); both
    give the same answer, grouped by programme and document, with each evidence
    note, its section path and raw character span.

    \b
    Examples:
      kg leads 省发改委 --store store
      kg leads --all --store store --format json
    """
    if bool(name) == bool(all_):
        raise click.ClickException("give a department NAME or --all (not both)")
    from kg.errors import KgError
    import importlib

    L = importlib.import_module("kg.leads")

    try:
        with _source(store_dir, endpoint) as (store, ep):
            if all_:
                recs = L.all_responsibilities(store=store, endpoint=ep)
                out = L.to_json(recs) if fmt == "json" else L.all_to_text(recs)
            else:
                ans = L.leads(name, store=store, endpoint=ep)
                out = L.to_json(ans) if fmt == "json" else L.to_text(ans)
    except KgError as e:
        raise click.ClickException(str(e)) from e
    click.echo(out, nl=False)


@click.command("export")
@click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False), help=STORE_HELP)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for kg.trig, kg.nq, kg.ttl, kg.jsonld, kg.graphml and responsibilities.csv.")
def export(store_dir, out_dir):
    """Write the graph's exports (TriG/N-Quads with named graphs, Turtle, JSON-LD,
    GraphML for Gephi, CSV of responsibilities). Rebuilding gives byte-identical files.

    \b
    Example:
      kg export --store store --out exports
    """
    from kg.errors import KgError
    from kg.export import write_exports

    try:
        with _source(store_dir, None) as (store, _):
            paths = write_exports(store, out_dir)
    except OSError as e:
        raise click.ClickException(f"{out_dir}: cannot write ({e.strerror or e})") from e
    except KgError as e:
        raise click.ClickException(str(e)) from e
    for p in paths:
        click.echo(f"wrote {p}")


COMMANDS = [query, leads, export]
