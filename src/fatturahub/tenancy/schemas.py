"""Request and response bodies of the tenancy API.

Company profiles reuse the FatturaPA blocks (Indirizzo, IscrizioneREA, Contatti) so that what a
company says about itself is exactly what goes into CedentePrestatore.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from stdnum.it import codicefiscale, iva

from fatturahub.fatturapa.model.ordinaria import Contatti, Indirizzo, IscrizioneREA, RegimeFiscale
from fatturahub.tenancy.models import Channel, Role
from fatturahub.tenancy.permissions import Area

LevelName = Literal["none", "read", "write", "admin"]
LevelsIn = dict[Area, LevelName]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _checked_partita_iva(value: str | None) -> str | None:
    if value is not None and not iva.is_valid(value):
        raise ValueError("not a valid partita IVA (11 digits with a correct check digit)")
    return value


def _checked_codice_fiscale(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.upper()
    valid = iva.is_valid(value) if value.isdigit() else codicefiscale.is_valid(value)
    if not valid:
        raise ValueError("not a valid codice fiscale (16 characters, or 11 digits for entities)")
    return value


class CompanyFields(Body):
    denominazione: str | None = Field(default=None, max_length=80)
    nome: str | None = Field(default=None, max_length=60)
    cognome: str | None = Field(default=None, max_length=60)
    regime_fiscale: RegimeFiscale | None = None
    sede: Indirizzo | None = None
    iscrizione_rea: IscrizioneREA | None = None
    contatti: Contatti | None = None
    codice_destinatario: str | None = Field(default=None, pattern=r"^[A-Z0-9]{6,7}$")
    pec_destinatario: str | None = Field(default=None, max_length=256, pattern=r"^.+@.+\..+$")
    public_administration: bool | None = None
    channel: Channel | None = None
    channel_settings: dict[str, Any] | None = None


class CompanyCreate(CompanyFields):
    partita_iva: str | None = Field(default=None, examples=["01234567897"])
    codice_fiscale: str | None = None
    regime_fiscale: RegimeFiscale = RegimeFiscale.RF01
    sede: Indirizzo

    _partita_iva = field_validator("partita_iva")(_checked_partita_iva)
    _codice_fiscale = field_validator("codice_fiscale")(_checked_codice_fiscale)

    @model_validator(mode="after")
    def _identity(self) -> CompanyCreate:
        if not (self.partita_iva or self.codice_fiscale):
            raise ValueError("a company needs a partita_iva or a codice_fiscale")
        if not (self.denominazione or (self.nome and self.cognome)):
            raise ValueError("a company needs a denominazione, or nome and cognome")
        return self


class CompanyUpdate(CompanyFields):
    """Only the fields given change; identifiers do not (create a new company instead)."""


class CompanyOut(Out):
    id: uuid.UUID
    account_id: uuid.UUID
    partita_iva: str | None
    codice_fiscale: str | None
    denominazione: str | None
    nome: str | None
    cognome: str | None
    regime_fiscale: str
    sede: dict[str, Any]
    iscrizione_rea: dict[str, Any] | None = Field(validation_alias="rea")
    contatti: dict[str, Any] | None = Field(validation_alias="contacts")
    codice_destinatario: str
    pec_destinatario: str | None
    public_administration: bool
    channel: Channel
    created_at: datetime
    levels: dict[Area, LevelName] = Field(description="what the caller may do on this company")
    delegation_id: uuid.UUID | None = Field(description="set when seen through a delegation")


class SigningCertificateIn(Body):
    pkcs12: str = Field(description="the PKCS#12 (.p12/.pfx) file, base64", max_length=200_000)
    password: str | None = Field(default=None, max_length=200)
    format: Literal["cades", "xades"] = "cades"


class CertificateOut(BaseModel):
    subject: str
    issuer: str
    not_after: datetime
    format: Literal["cades", "xades"]


class AccountCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    password: str = Field(min_length=12, max_length=200)
    user_name: str = Field(default="", max_length=200)


class AccountUpdate(Body):
    name: str = Field(min_length=1, max_length=200)


class AccountAdminUpdate(Body):
    """What the service operator may change on an account."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    storage_quota_bytes: int | None = Field(default=None, ge=0)
    active: bool | None = None


class AccountOut(Out):
    id: uuid.UUID
    name: str
    storage_quota_bytes: int
    storage_used_bytes: int
    active: bool
    created_at: datetime


class AccountCreated(BaseModel):
    account: AccountOut
    owner: UserOut


class AccountPage(BaseModel):
    items: list[AccountOut]
    next_cursor: str | None


class UserCreate(Body):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)
    password: str = Field(min_length=12, max_length=200)
    name: str = Field(default="", max_length=200)
    role: Literal[Role.ADMIN, Role.MEMBER] = Role.MEMBER


class UserUpdate(Body):
    name: str | None = Field(default=None, max_length=200)
    role: Literal[Role.ADMIN, Role.MEMBER] | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=12, max_length=200)


class UserOut(Out):
    id: uuid.UUID
    account_id: uuid.UUID
    email: str
    name: str
    role: Role
    active: bool
    created_at: datetime


class PermissionsIn(Body):
    levels: LevelsIn


class PermissionsOut(BaseModel):
    user_id: uuid.UUID
    company_id: uuid.UUID
    levels: dict[Area, LevelName]


class ApiKeyCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    company_ids: list[uuid.UUID] | None = Field(
        default=None, description="limit the key to these companies; omitted: every company"
    )
    levels: LevelsIn | None = Field(
        default=None, description="the most the key may do per area; omitted: admin everywhere"
    )


class ApiKeyOut(Out):
    id: uuid.UUID
    name: str
    prefix: str
    company_ids: list[uuid.UUID] | None
    levels: dict[Area, LevelName]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="shown once: store it now")


class DelegationCreate(Body):
    company_id: uuid.UUID
    grantee_account_id: uuid.UUID
    levels: LevelsIn
    # timestamps need a timezone (e.g. 2026-01-01T00:00:00Z): a window is a moment, not a wall clock
    starts_at: AwareDatetime | None = Field(default=None, description="default: now")
    ends_at: AwareDatetime | None = None
    note: str = Field(default="", max_length=500)


class DelegationUpdate(Body):
    levels: LevelsIn | None = None
    ends_at: AwareDatetime | None = None
    note: str | None = Field(default=None, max_length=500)


class DelegationOut(Out):
    id: uuid.UUID
    company_id: uuid.UUID
    grantor_account_id: uuid.UUID
    grantee_account_id: uuid.UUID
    levels: dict[Area, LevelName]
    starts_at: datetime
    ends_at: datetime | None
    revoked_at: datetime | None
    note: str
    active: bool
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class MeOut(BaseModel):
    account: AccountOut
    user: UserOut | None
    api_key: ApiKeyOut | None
    companies: list[CompanyOut]


class AuditEntryOut(Out):
    id: uuid.UUID
    created_at: datetime
    account_id: uuid.UUID
    user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    delegation_id: uuid.UUID | None
    company_id: uuid.UUID | None
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any]


class Page(BaseModel):
    next_cursor: str | None


class CompanyPage(Page):
    items: list[CompanyOut]


class UserPage(Page):
    items: list[UserOut]


class ApiKeyPage(Page):
    items: list[ApiKeyOut]


class DelegationPage(Page):
    items: list[DelegationOut]


class AuditPage(Page):
    items: list[AuditEntryOut]


Limit = Annotated[int, Field(ge=1, le=200)]


AccountCreated.model_rebuild()
