"""madoguchi: the composition root (settings and the command line) of the intake desk.

The layers live in sibling packages: ``nlp`` and ``routing`` (pure), ``models`` and
``storage`` (persistence), ``bot`` (dialogue engine and channel adapters). This package
wires them together and is imported by nothing below it.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
