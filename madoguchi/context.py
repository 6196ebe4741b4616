"""What every command receives: the settings and lazily built shared services."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from madoguchi.settings import Settings
from nlp.bootstrap import ensure_classifier
from nlp.classifier import Classifier
from nlp.registry import ModelRegistry
from nlp.reloading import ReloadingUnderstander
from nlp.taxonomy import Taxonomy, load_taxonomy
from nlp.understand import Understander

if TYPE_CHECKING:  # storage (SQLAlchemy, Alembic) is imported only by commands that use it
    from storage.database import Database


@dataclass
class AppContext:
    """Built once in the CLI callback from the settings read in `main()`."""

    settings: Settings
    _taxonomy: Taxonomy | None = field(default=None, repr=False)
    _understander: Understander | None = field(default=None, repr=False)
    _database: Database | None = field(default=None, repr=False)

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            self._taxonomy = load_taxonomy(self.settings.taxonomy_file)
        return self._taxonomy

    @property
    def registry(self) -> ModelRegistry:
        return ModelRegistry(self.settings.models_dir)

    def classifier(self) -> Classifier:
        """The promoted model; trains the first one on a fresh checkout."""
        registry = self.registry
        if registry.current_version() is None:
            print("初回のため、分類モデルを学習しています（1〜2分ほどかかります）…", file=sys.stderr)
        return ensure_classifier(registry, self.settings.corpus_dir, self.taxonomy)

    @property
    def understander(self) -> Understander:
        """The promoted model, followed: a later promotion or rollback is picked up within
        ``MADOGUCHI_MODEL_CHECK_INTERVAL`` seconds by running services."""
        if self._understander is None:
            self._understander = ReloadingUnderstander(
                self.registry, self.classifier(), self.settings.max_message_chars,
                check_every=self.settings.model_check_interval,
            )
        return self._understander

    @property
    def database(self) -> Database:
        """The configured database (``MADOGUCHI_DATABASE_URL``, default a SQLite file under
        ``MADOGUCHI_HOME``), opened once; its schema is not touched."""
        if self._database is None:
            from storage.database import Database
            from storage.engine import resolve_database_url

            url = resolve_database_url(self.settings.database_url, self.settings.home)
            self._database = Database.connect(url)
        return self._database

    def ready_database(self) -> Database:
        """The database with a current schema: an empty one is created, an outdated one
        refused (`storage.migrate.SchemaOutOfDate`) until ``madoguchi db upgrade``."""
        from storage.migrate import ensure_schema

        self.database.check_connection()
        ensure_schema(self.database)
        return self.database
