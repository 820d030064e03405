"""assess: gender-equality review of draft policies and village rules.

The library is usable on its own; `cli.py` is a thin click layer over it.

    from assess import review
    result = review("村规民约.docx")
    for f in result.findings:
        print(f.location.clause_label, f.severity, f.message)

Heavy modules (spaCy, scikit-learn, pdf/docx readers) are imported lazily so that
`assess --version` and `assess parse` start fast.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "review", "review_many", "load_document"]


def __getattr__(name):  # PEP 562: lazy public API, keeps `import assess` cheap
    if name in ("review", "review_many"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "load_document":
        from .documents import load_document

        return load_document
    raise AttributeError(name)
