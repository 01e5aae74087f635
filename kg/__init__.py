"""kg: a knowledge graph of Chinese government policy documents.

Read policy documents, extract who leads and who supports each task, build an RDF
graph with provenance, and query, explore, serve or export it. The public API is
imported lazily, so ``import kg`` does no work:

>>> import kg
>>> {"build", "leads", "run_query", "render_html"} <= set(kg.__all__)
True
>>> kg.build.__module__
'kg.pipeline'
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    # reading
    "process": "kg.pipeline",
    "process_many": "kg.pipeline",
    "build": "kg.pipeline",
    "discover": "kg.pipeline",
    "records": "kg.records",
    "evaluate": "kg.evaluate",
    "load_gold": "kg.evaluate",
    # the graph
    "GraphStore": "kg.store",
    "open_store": "kg.store",
    "run_query": ("kg.query", "run"),
    "named_queries": "kg.query",
    "describe_query": "kg.query",
    "leads": "kg.leads",
    "all_responsibilities": "kg.leads",
    "write_exports": "kg.export",
    "to_networkx": "kg.netview",
    "explorer_graph": "kg.netview",
    "render_html": "kg.visualise",
    # data
    "Document": "kg.types",
    "DocResult": "kg.types",
    "Responsibility": "kg.types",
    "Mention": "kg.types",
    "Entity": "kg.types",
    "InputError": "kg.errors",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
