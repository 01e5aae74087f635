"""Entity mentions: :class:`EntityExtractor` runs the spaCy pipeline of :mod:`kg.extract.nlp`.

Types (see eval/gold/README.md): department, region, lab, corridor, programme. Offsets are
normalised offsets into ``doc.text``. A name inside a longer name gets no mention of its own, except
places inside descriptive corridor or programme names.
"""
from __future__ import annotations

import os
from typing import Iterable

from kg.types import Clause, Document, Mention

from kg.extract.nlp import make_doc, make_nlp


class EntityExtractor:
    """Loads spaCy + jieba + the gazetteer once; :meth:`mentions` per document.

    The pipeline is rebuilt (about 2 s) only when the vocabulary passes ``MAX_STRINGS`` strings, which
    keeps memory bounded on very large corpora (the unsegmented text pieces become vocabulary entries).

    ``gazetteer_dir`` points at a directory laid out like ``kg/data`` (default: the package's own);
    ``alias_file`` at an alias TSV (default: ``<gazetteer_dir>/aliases.tsv``).
    """

    MAX_STRINGS = 500_000

    def __init__(self, gazetteer_dir: str | os.PathLike | None = None, alias_file: str | os.PathLike | None = None,
                 hmm: bool = False):
        self.gazetteer_dir = os.fspath(gazetteer_dir) if gazetteer_dir else None
        self.alias_file = os.fspath(alias_file) if alias_file else None
        self.hmm = hmm
        self.nlp = make_nlp(self.gazetteer_dir, self.alias_file, hmm=hmm)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, type)`` of every mention in ``text``."""
        doc = self.nlp(make_doc(self.nlp, text))
        spans = list(doc.user_data["kg_mentions"])
        if len(self.nlp.vocab.strings) > self.MAX_STRINGS:  # text pieces are tokens: keep the vocab bounded
            self.nlp = make_nlp(self.gazetteer_dir, self.alias_file, hmm=self.hmm)
        return spans

    def mentions(self, doc: Document, clauses: Iterable[Clause] = ()) -> tuple[Mention, ...]:
        text = doc.text
        out = []
        for s, e, typ in self.spans(text):
            name = text[s:e]
            if not name.strip():
                continue
            out.append(Mention(text=name, type=typ, start=s, end=e))
        return tuple(out)
