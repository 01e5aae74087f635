"""The extraction stage: entity mentions (spaCy + jieba) and responsibility notes.

jieba and spaCy are imported only inside this package, and only when an
:class:`~kg.extract.entities.EntityExtractor` is built.
"""
