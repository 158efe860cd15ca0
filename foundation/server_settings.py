"""Where the servers' settings come from (central, conalep): keyword arguments, then
environment variables with the program's prefix (``CENTRAL_``), then the TOML file named by
the program's ``…_CONFIG`` variable (``CENTRAL_CONFIG``). Nothing else (no ``.env`` file, no
secrets directory).

What the servers share is here: the mode, the listening address, the data folder and the
database (an SQLite file in the data folder unless a URL is given), the upload limit of the
staff pages, the refusal of development secrets in production, and :meth:`ServerSettings.load`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, TomlConfigSettingsSource

MIN_SECRET_CHARS = 24
"""The shortest secret (admin token, session secret) production accepts."""


class SettingsRefused(Exception):
    """The server must not start with these settings; the message says why, in Spanish."""


class ServerSettings(BaseSettings):
    """Base of a server's settings: a subclass sets ``env_prefix`` in its ``model_config``
    (which names the program and its TOML file's variable) and ``database_file``, the default
    SQLite file's name."""

    database_file: ClassVar[str] = ""
    mode: Literal["development", "production"] = "development"
    """``production`` refuses development secrets (each program's ``refusals``)."""
    host: str = "127.0.0.1"
    data_dir: Path = Path("data")
    database_url: str = ""
    """SQLAlchemy URL; empty means ``sqlite:///<data_dir>/<database_file>``."""
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    """Limit of one file uploaded on the staff pages (a SCEJAL roster, an SAE export)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        prefix = cls.model_config.get("env_prefix", "")
        config = os.environ.get(f"{prefix}CONFIG") if prefix else None
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)

    @model_validator(mode="after")
    def _default_database(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / self.database_file).resolve()}"
        return self

    def refusals(self) -> list[str]:
        """Why these settings must not run in production, in Spanish (empty: they may)."""
        return []

    @classmethod
    def program(cls) -> str:
        """The program's name in messages (``central`` for ``CENTRAL_``)."""
        return cls.model_config.get("env_prefix", "").rstrip("_").lower()

    def secret_refusal(self, setting: str) -> str | None:
        """Why the secret ``setting`` must not sign anything in production: its default, the
        development value printed in this repository, or too short to resist guessing."""
        variable = f"{self.model_config.get('env_prefix', '')}{setting.upper()}"
        secret: SecretStr = getattr(self, setting)
        development: SecretStr = type(self).model_fields[setting].default
        if secret.get_secret_value() == development.get_secret_value():
            return f"{variable} tiene el valor de desarrollo; defina uno propio"
        if len(secret.get_secret_value()) < MIN_SECRET_CHARS:
            return f"{variable} debe tener al menos {MIN_SECRET_CHARS} caracteres"
        return None

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """Settings from the environment and the TOML file; :class:`SettingsRefused` when
        they are not valid, or unsafe in production (:meth:`refusals`)."""
        try:
            settings = cls(**overrides)  # type: ignore[arg-type]
        except (ValueError, OSError) as exc:
            raise SettingsRefused(f"Los ajustes de {cls.program()} no son válidos: {exc}") \
                from exc
        problems = [] if settings.mode == "development" else settings.refusals()
        if problems:
            raise SettingsRefused(f"{cls.program().capitalize()} no arranca en modo producción: "
                                  + "; ".join(problems) + ".")
        return settings
