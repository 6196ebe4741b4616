"""reports/ sits beside the composition root: it reads storage and nlp, never the bot or
the CLI; and nothing below it imports it."""

from __future__ import annotations

import pytest

from tests.storage.test_storage_layers import imported_modules


def test_reports_import_neither_the_bot_nor_the_cli() -> None:
    for path, names in imported_modules("reports").items():
        for name in names:
            assert name.split(".")[0] not in {"bot", "madoguchi", "telegram", "slack_bolt", "typer"}, (path, name)


@pytest.mark.parametrize("package", ["models", "storage", "nlp", "routing", "bot"])
def test_lower_layers_do_not_import_reports(package: str) -> None:
    for path, names in imported_modules(package).items():
        assert not any(name.split(".")[0] == "reports" for name in names), path
