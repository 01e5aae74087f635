"""``kg serve``: the SPARQL 1.1 endpoint over a store."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from kg.errors import KgError


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--store", "store", required=True, type=click.Path(path_type=Path),
              help="Store directory written by `kg build --store DIR`.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the endpoint to the network.")
@click.option("--port", default=7879, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0 picks a free one).")
@click.option("--allow-update", is_flag=True,
              help="Accept SPARQL Update (each update is one atomic store generation). Off by default.")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--max-results", default=10000, show_default=True, type=click.IntRange(min=1),
              help="Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; header X-SPARQL-MaxRows marks a cut.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes.")
@click.option("--quiet", is_flag=True, help="Do not log each request on stderr.")
def serve(store: Path, host: str, port: int, allow_update: bool, timeout: float, max_results: int,
          workers: int, quiet: bool) -> None:
    """Serve the store as a SPARQL 1.1 Protocol endpoint at http://HOST:PORT/sparql.

    Queries by GET ?query=, POST form or POST application/sparql-query; results as
    SPARQL JSON/XML/CSV/TSV or Turtle/N-Triples (Accept header or format=). CORS is on,
    so YASGUI in a browser works. / lists example queries, /explorer shows the network.

    \b
    Example:
      kg serve --store build/store
      curl 'http://127.0.0.1:7879/sparql?query=ASK%7B?s?p?o%7D'
    """
    from kg.serve import serve as run

    if not _loopback(host):
        click.echo(f"warning: binding {host}: the endpoint is reachable from other machines", err=True)
    try:
        run(store, host, port, allow_update=allow_update, timeout=timeout, max_results=max_results,
            workers=workers, quiet=quiet)
    except KgError as exc:
        raise click.ClickException(f"{exc}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                                   "choose another --port or stop the program using it") from exc


COMMANDS = [serve]
