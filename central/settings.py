"""Central's settings: environment variables (``CENTRAL_*``) or a TOML file (``CENTRAL_CONFIG``).

With nothing configured, central runs in development mode on an SQLite file under
``./central-data``. Outside development mode it refuses to start with the development admin
token or without an explicit signing key file: a production server must never run on secrets
that are printed in this repository.

>>> s = CentralSettings(_env_file=None)
>>> s.mode, s.database_url.startswith("sqlite:///")
('development', True)
>>> CentralSettings.load(mode="development").mode
'development'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from foundation.server_settings import ServerSettings

DEV_ADMIN_TOKEN = "desarrollo-no-usar-en-produccion"
"""The admin token of development mode. Production refuses it."""


class CentralSettings(ServerSettings):
    database_file = "central.sqlite3"
    model_config = SettingsConfigDict(env_prefix="CENTRAL_", extra="forbid")

    data_dir: Path = Path("central-data")
    admin_token: SecretStr = SecretStr(DEV_ADMIN_TOKEN)
    """Bearer token of the staff API (``Authorization: Bearer …``)."""
    signing_key_file: Path | None = None
    """Central's Ed25519 key that certifies station keys; default ``<data_dir>/keys/central.key``
    (created on first run in development mode only)."""
    port: int = Field(default=8750, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    folio_block_size: int = Field(default=2000, ge=8, le=1_000_000)
    folio_first: int = Field(default=1_000_000, ge=1, le=2**32 - 1)
    """First folio central hands out: above any block a standalone station made for itself."""
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_photo_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    enrollment_code_hours: int = Field(default=72, ge=1, le=24 * 90)
    routing_primaria_min_students: int = 475
    routing_secundaria_min_students: int = 222
    pull_page_size: int = Field(default=5000, ge=10, le=100_000)
    unattended_escalate_days: int = Field(default=15, ge=1, le=365)
    """Days after which a request for a card a station recorded and nobody attended
    (normativo 4) escalates to its DRSE's page «Sin atender» (docs/settings.md)."""
    privacy_retention_days: int = Field(default=365, ge=1, le=3650)
    """Days after a student left (BAJA) or stopped being listed in the current cycle before
    ``central privacy purge`` erases their personal data and photo (docs/privacy-central.md)."""
    access_log_retention_days: int = Field(default=730, ge=30, le=3650)
    """Days the access record (who viewed which student's data) is kept."""
    privacy_order_days: int = Field(default=180, ge=7, le=3650)
    """Days an ARCO order for the stations (with the CURP it names) is served, then deleted."""
    privacy_key_file: Path | None = None
    """Secret of the keyed one-way digest that replaces an erased student's CURP; default
    ``<data_dir>/keys/privacy.key`` (created on first use)."""

    @model_validator(mode="after")
    def _default_signing_key(self) -> CentralSettings:
        if self.signing_key_file is None:
            self.signing_key_file = self.data_dir / "keys" / "central.key"
        if self.privacy_key_file is None:
            self.privacy_key_file = self.data_dir / "keys" / "privacy.key"
        return self

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    def refusals(self) -> list[str]:
        """Why these settings must not run in production (empty when all is set)."""
        token = self.secret_refusal("admin_token")
        out = [token] if token else []
        if self.signing_key_file is None or not self.signing_key_file.exists():
            out.append(f"no existe la llave que certifica estaciones ({self.signing_key_file}); "
                       "créela con 'central keygen' y guárdela con copia de seguridad")
        return out

