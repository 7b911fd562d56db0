"""The IVP18 communication of a quarter: frontispiece from the company, one module per period."""

from __future__ import annotations

from datetime import date

from fatturahub.errors import InvalidInput
from fatturahub.fiscal.lipe import Commitment, Intermediary, LipeCommunication, Settlement, Signatory, ivp18
from fatturahub.fiscal.periods import Period
from fatturahub.reports.models import LipeSetting
from fatturahub.tenancy.models import Company

SOFTWARE_ID = "FATTURAHUB"


def quarter_periods(year: int, quarter: int, monthly: bool) -> list[Period]:
    """The periods a quarter's communication reports: its three months, or the quarter."""
    if monthly:
        return [Period(year, month=m) for m in range(3 * quarter - 2, 3 * quarter + 1)]
    return [Period(year, quarter=quarter)]


def communication(
    company: Company,
    setting: LipeSetting | None,
    settlements: list[Settlement],
    *,
    delegated: bool,
    intermediary_tax_code: str | None,
    today: date,
) -> LipeCommunication:
    """A delegate (an accounting firm acting on its client's company) sends as intermediary."""
    if delegated and not intermediary_tax_code:
        raise InvalidInput(
            "a delegate sends as intermediary",
            errors=[
                {"path": "intermediary_tax_code", "message": "the intermediary's codice fiscale is required"}
            ],
        )
    declarant = None
    if setting is not None and setting.declarant_tax_code:
        declarant = Signatory(setting.declarant_tax_code, setting.declarant_role or "1")
    intermediary = None
    if delegated and intermediary_tax_code:
        intermediary = Intermediary(intermediary_tax_code, Commitment.PREPARED_BY_TAXPAYER, today)
    return LipeCommunication(
        tax_code=company.codice_fiscale or company.partita_iva or "",
        vat_number=company.partita_iva or "",
        year=settlements[0].period.year,
        modules=tuple(s.module() for s in settlements),
        declarant=declarant,
        intermediary=intermediary,
        software_id=SOFTWARE_ID,
    )


def checked_xml(lipe: LipeCommunication) -> bytes:
    """The file, or InvalidInput with every schema error (path and message)."""
    if issues := ivp18.check(ivp18.build(lipe)):
        raise InvalidInput(
            "the communication does not validate against the IVP18 schema",
            errors=[{"code": i.code, "path": i.path, "message": i.message} for i in issues],
        )
    return ivp18.to_bytes(lipe)
