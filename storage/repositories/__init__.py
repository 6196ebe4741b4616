"""Repositories: small functions over a session, with keyword-only arguments.

None of them commits; wrap calls in `storage.database.Database.unit_of_work` so that
everything one action changes (a lead, its assignment, its outbox event, the audit row)
is committed together. Modules: ``audit``, ``directory``, ``leads``, ``assignments``,
``conversations``, ``updates``, ``outbox``, ``feedback``, ``model_versions``.
"""
