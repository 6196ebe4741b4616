"""Settings come from madoguchi's own variables only, never from an unrelated one that
happens to share a field's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.settings import Settings


def test_common_environment_variables_do_not_set_a_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # $HOME once moved the models and the database into the user's home directory.
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("MADOGUCHI_HOME", "MADOGUCHI_DEBUG", "MADOGUCHI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "someone"))
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/other")
    settings = Settings()
    assert settings.home == Path("var")
    assert settings.debug is False
    assert settings.database_url is None
    monkeypatch.setenv("MADOGUCHI_HOME", str(tmp_path / "madoguchi"))
    assert Settings().home == tmp_path / "madoguchi"
