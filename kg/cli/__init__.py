"""The ``kg`` command line: thin commands, each a few lines around one library call.

The library never imports this package. Each module here contributes commands to
the one :func:`main` group.
"""
from __future__ import annotations

import importlib

import click

_COMMAND_MODULES = ("kg.cli.read", "kg.cli.graph", "kg.cli.viz", "kg.cli.serve")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def main() -> None:
    """kg: a knowledge graph of Chinese government policy documents.

    Read policy documents, extract who leads and who supports each task, build an
    RDF graph with provenance, and query, explore, serve or export it.
    """


for _name in _COMMAND_MODULES:
    for _cmd in importlib.import_module(_name).COMMANDS:
        main.add_command(_cmd)
