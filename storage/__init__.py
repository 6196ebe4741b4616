"""Persistence: the engine and sessions from one URL, migrations, repositories, the directory.

Imports ``models`` and the pure ``nlp.geo`` table; nothing from routing, bot or madoguchi.
Modules: ``engine`` (URL and engine), ``database`` (sessions and the unit of work),
``migrate`` (Alembic from Python), ``repositories``, ``directory``, ``errors``. The package
itself imports nothing, so naming `storage.errors` stays cheap.
"""
