"""Tenancy tables: accounts, their users, companies, API keys, delegations."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from fatturahub.db.base import Base, IdMixin


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class Channel(StrEnum):
    SANDBOX = "sandbox"
    SDICOOP = "sdicoop"


class Account(IdMixin, Base):
    """The service holder: owns companies, users and API keys; one storage quota for all."""

    __tablename__ = "account"

    name: Mapped[str] = mapped_column(String(200))
    storage_quota_bytes: Mapped[int] = mapped_column(BigInteger)
    storage_used_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(IdMixin, Base):
    __tablename__ = "app_user"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Company(IdMixin, Base):
    """A subject with its own Partita IVA / codice fiscale, issuer and recipient of invoices."""

    __tablename__ = "company"
    __table_args__ = (
        UniqueConstraint("account_id", "partita_iva"),
        UniqueConstraint("account_id", "codice_fiscale"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    partita_iva: Mapped[str | None] = mapped_column(String(11))
    codice_fiscale: Mapped[str | None] = mapped_column(String(16))
    denominazione: Mapped[str | None] = mapped_column(String(80))
    nome: Mapped[str | None] = mapped_column(String(60))
    cognome: Mapped[str | None] = mapped_column(String(60))
    regime_fiscale: Mapped[str] = mapped_column(String(4))
    sede: Mapped[dict[str, Any]]  # Indirizzo, NumeroCivico, CAP, Comune, Provincia, Nazione
    rea: Mapped[dict[str, Any] | None]  # Ufficio, NumeroREA, CapitaleSociale, SocioUnico, ...
    contacts: Mapped[dict[str, Any] | None]  # Telefono, Fax, Email, PEC
    codice_destinatario: Mapped[str] = mapped_column(String(7), default="0000000")
    pec_destinatario: Mapped[str | None] = mapped_column(String(256))
    public_administration: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[Channel] = mapped_column(String(20), default=Channel.SANDBOX)
    channel_settings: Mapped[dict[str, Any] | None]
    # PKCS#12 and its password, sealed with the service's secret key (see tenancy.sealing)
    signing_certificate: Mapped[bytes | None] = mapped_column(LargeBinary)
    signing_format: Mapped[str] = mapped_column(String(5), default="cades")  # or "xades"
    archived_at: Mapped[datetime | None]


class CompanyPermission(IdMixin, Base):
    """A member's level on one area of one company (own or delegated to the account)."""

    __tablename__ = "company_permission"
    __table_args__ = (UniqueConstraint("user_id", "company_id", "area"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), index=True)
    area: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(10))


class ApiKey(IdMixin, Base):
    """An ERP's credential: shown once, stored hashed; optionally limited to companies/levels."""

    __tablename__ = "api_key"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    company_ids: Mapped[dict[str, Any] | None]  # {"ids": [...]}: None = every company
    levels: Mapped[dict[str, Any]]  # {"active_invoices": "write", ...}
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Delegation(IdMixin, Base):
    """An account grants another account levels on one of its companies, for a time window."""

    __tablename__ = "delegation"

    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("company.id"), index=True)
    grantor_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    grantee_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id"), index=True)
    levels: Mapped[dict[str, Any]]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(500), default="")

    def active_at(self, moment: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.starts_at <= moment
            and (self.ends_at is None or moment < self.ends_at)
        )

    @classmethod
    def in_force(cls, moment: ColumnElement[datetime]) -> tuple[ColumnElement[bool], ...]:
        """`active_at` as SQL conditions, for `moment` (a bound parameter of the statement)."""
        return (
            cls.revoked_at.is_(None),
            cls.starts_at <= moment,
            or_(cls.ends_at.is_(None), cls.ends_at > moment),
        )
