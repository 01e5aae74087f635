"""``kg viz``: write the offline HTML network explorer of a store."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("viz")
@click.option("--store", "store_dir", type=click.Path(file_okay=False),
              help="Graph store directory written by `kg build`.")
@click.option("--endpoint", metavar="URL", help="Read the graph from a SPARQL endpoint instead of --store.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="HTML file to write (one self-contained file, opens offline by double-click).")
@click.option("--focus", metavar="NAME", help="Ego network of a department (any alias or full name).")
@click.option("--programme", metavar="NAME", help="A programme with its tasks, leads and supports.")
@click.option("--document", metavar="FILE", help="One document (source path or file name).")
@click.option("--title", default=None, help="Page title (default: kg, plus the trace view).")
def viz(store_dir, endpoint, output, focus, programme, document, title):
    """Write an interactive, offline HTML view of the graph in STORE.

    Colour and shape follow the entity type (legend at bottom left), solid red
    edges are 牵头 leads, dashed blue are 参与 supports. Hover a node for its names
    and documents; click a node or an edge for the evidence sentences with
    document and section. The search box accepts any alias.

    Examples:

      kg viz --store store -o graph.html

      kg viz --store store -o fgw.html --focus 省发改委

      kg viz --endpoint http://127.0.0.1:7878/sparql -o graph.html
    """
    chosen = [(k, v) for k, v in (("focus", focus), ("programme", programme), ("document", document)) if v]
    if len(chosen) > 1:
        raise click.ClickException("give at most one of --focus, --programme, --document")
    if (store_dir is None) == (endpoint is None):
        raise click.ClickException("give exactly one of --store DIR or --endpoint URL")
    if store_dir is not None and not Path(store_dir).is_dir():
        raise click.ClickException(f"{store_dir}: no such store directory; build one with `kg build CORPUS --store {store_dir}`")
    from kg.errors import KgError
    from kg.netview import explorer_graph
    from kg.store import open_store
    from kg.visualise import render_html

    where = store_dir or endpoint
    try:
        if endpoint:
            G = explorer_graph(None, focus=focus, programme=programme, document=document, endpoint=endpoint)
        else:
            with open_store(store_dir, read_only=True) as store:
                G = explorer_graph(store, focus=focus, programme=programme, document=document)
    except (KgError, LookupError, ValueError, OSError) as e:
        raise click.ClickException(f"{where}: {e}") from e
    if G.number_of_nodes() == 0:
        what = f" for --{chosen[0][0]} {chosen[0][1]!r}" if chosen else ""
        raise click.ClickException(f"{where}: nothing to draw{what}; check the name with `kg query` or drop the option")
    if title is None:
        title = "kg" + (f" · {chosen[0][0]}: {chosen[0][1]}" if chosen else "")
    centre = focus or programme
    if document:  # the document view is centred on its one document node
        docs = sorted(n for n, a in G.nodes(data=True) if a.get("type") == "document")
        centre = docs[0] if len(docs) == 1 else None
    try:
        render_html(G, output, title=title, focus=centre)
    except OSError as e:
        raise click.ClickException(f"{output}: cannot write ({e.strerror or e})") from e
    click.echo(f"wrote {output}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")


COMMANDS = [viz]
