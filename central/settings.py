"""Central's settings: environment variables (``CENTRAL_*``) or a TOML file (``CENTRAL_CONFIG``).

With nothing configured, central runs in development mode on an SQLite file under
``./central-data``. Outside development mode it refuses to start with the development admin
token or without an explicit signing key file: a production server must never run on secrets
that are printed in this repository.

>>> s = CentralSettings(_env_file=None)
>>> s.mode, s.database_url.startswith("sqlite:///")
('development', True)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from foundation.server_settings import ServerSettings

DEV_ADMIN_TOKEN = "desarrollo-no-usar-en-produccion"
"""The admin token of development mode. Production refuses it."""
MIN_TOKEN_CHARS = 24


class SettingsRefused(Exception):
    """Central must not start with these settings; the message says why, in Spanish."""


class CentralSettings(ServerSettings):
    config_variable = "CENTRAL_CONFIG"
    model_config = SettingsConfigDict(env_prefix="CENTRAL_", extra="forbid")

    data_dir: Path = Path("central-data")
    database_url: str = ""
    """SQLAlchemy URL; empty means ``sqlite:///<data_dir>/central.sqlite3``."""
    admin_token: SecretStr = SecretStr(DEV_ADMIN_TOKEN)
    """Bearer token of the staff API (``Authorization: Bearer …``)."""
    signing_key_file: Path | None = None
    """Central's Ed25519 key that certifies station keys; default ``<data_dir>/keys/central.key``
    (created on first run in development mode only)."""
    port: int = Field(default=8750, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    folio_block_size: int = Field(default=2000, ge=8, le=1_000_000)
    folio_first: int = Field(default=1_000_000, ge=1)
    """First folio central hands out: above any block a standalone station made for itself."""
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_photo_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    """Limit of the staff page's SCEJAL upload (``POST /staff/importar``) only."""
    enrollment_code_hours: int = Field(default=72, ge=1, le=24 * 90)
    routing_primaria_min_students: int = 475
    routing_secundaria_min_students: int = 222
    pull_page_size: int = Field(default=5000, ge=10, le=100_000)

    @model_validator(mode="after")
    def _fill_defaults(self) -> CentralSettings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'central.sqlite3').resolve()}"
        if self.signing_key_file is None:
            self.signing_key_file = self.data_dir / "keys" / "central.key"
        return self

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def refusals(self) -> list[str]:
        """Why these settings must not run (empty in development mode or when all is set)."""
        if self.mode == "development":
            return []
        out = []
        token = self.admin_token.get_secret_value()
        if token == DEV_ADMIN_TOKEN:
            out.append("CENTRAL_ADMIN_TOKEN tiene el valor de desarrollo; defina uno propio")
        elif len(token) < MIN_TOKEN_CHARS:
            out.append(f"CENTRAL_ADMIN_TOKEN debe tener al menos {MIN_TOKEN_CHARS} caracteres")
        if self.signing_key_file is None or not self.signing_key_file.exists():
            out.append(f"no existe la llave que certifica estaciones ({self.signing_key_file}); "
                       "créela con 'central keygen' y guárdela con copia de seguridad")
        return out


def load_settings(**overrides: object) -> CentralSettings:
    """Settings from the environment and ``CENTRAL_CONFIG``; :class:`SettingsRefused` when unsafe.

    >>> load_settings(mode="development").mode
    'development'
    """
    try:
        settings = CentralSettings(**overrides)  # type: ignore[arg-type]
    except (ValueError, OSError) as exc:
        raise SettingsRefused(f"Los ajustes de central no son válidos: {exc}") from exc
    problems = settings.refusals()
    if problems:
        raise SettingsRefused("Central no arranca en modo producción: " + "; ".join(problems)
                              + ".")
    return settings
