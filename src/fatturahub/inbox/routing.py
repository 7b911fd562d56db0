"""Which company a received file belongs to. Pure: the repository supplies the candidates.

The rule, deterministic and the same for every delivery:
1. Candidates are the active companies (of any account) identified by the recipient of the
   document (CessionarioCommittente): P.IVA (IdPaese IT) = company.partita_iva, or codice
   fiscale = company.codice_fiscale (an 11-digit CF also matches a company's P.IVA).
2. Several candidates (a P.IVA is unique only within an account): keep those matching both
   P.IVA and codice fiscale, when the document gives both; then those whose
   codice_destinatario equals the metadata's CodiceDestinatario (a specific one, not 0000000).
3. Exactly one left: routed to it. None or several: quarantine, never dropped. The quarantine
   is the account's that owns the candidates when they are all one account's; else the one
   account whose companies use that CodiceDestinatario; else the operator's (no account).
Unreadable files have no recipient: they go to quarantine by the same last step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fatturahub.inbox.reading import Party

GENERIC_CODES = frozenset({"0000000", "XXXXXXX"})  # no channel / abroad: identify nobody


@dataclass(frozen=True)
class Candidate:
    company_id: uuid.UUID
    account_id: uuid.UUID
    partita_iva: str | None
    codice_fiscale: str | None
    codice_destinatario: str | None


@dataclass(frozen=True)
class Route:
    company_id: uuid.UUID | None
    account_id: uuid.UUID | None
    rule: str
    detail: str

    @property
    def quarantined(self) -> bool:
        return self.company_id is None

    def as_dict(self) -> dict[str, str | None]:
        return {"rule": self.rule, "detail": self.detail}


def specific_code(codice_destinatario: str | None) -> str | None:
    code = (codice_destinatario or "").strip().upper()
    return code if code and code not in GENERIC_CODES else None


def matches_vat(recipient: Party, company: Candidate) -> bool:
    return bool(
        recipient.vat_code
        and (recipient.vat_country or "IT").upper() == "IT"
        and company.partita_iva == recipient.vat_code
    )


def matches_cf(recipient: Party, company: Candidate) -> bool:
    cf = (recipient.codice_fiscale or "").upper()
    return bool(cf) and (company.codice_fiscale == cf or (len(cf) == 11 and company.partita_iva == cf))


def route(
    recipient: Party | None,
    codice_destinatario: str | None,
    candidates: list[Candidate],
    accounts_using_code: set[uuid.UUID],
) -> Route:
    code = specific_code(codice_destinatario)
    matching = [
        c for c in candidates if recipient and (matches_vat(recipient, c) or matches_cf(recipient, c))
    ]
    rule = "recipient"
    if len(matching) > 1 and recipient and recipient.vat_code and recipient.codice_fiscale:
        both = [c for c in matching if matches_vat(recipient, c) and matches_cf(recipient, c)]
        matching, rule = (both, "recipient vat+cf") if both else (matching, rule)
    if len(matching) > 1 and code:
        by_code = [c for c in matching if c.codice_destinatario == code]
        matching, rule = (by_code, rule + " + codice_destinatario") if by_code else (matching, rule)
    if len(matching) == 1:
        chosen = matching[0]
        return Route(chosen.company_id, chosen.account_id, rule, "routed by the recipient's identifiers")
    return _quarantine(recipient, code, matching, accounts_using_code)


def _quarantine(
    recipient: Party | None, code: str | None, matching: list[Candidate], accounts_using_code: set[uuid.UUID]
) -> Route:
    if recipient is None:
        reason = "the file could not be read"
    elif matching:
        reason = f"{len(matching)} companies match the recipient and nothing tells them apart"
    else:
        reason = "no company matches the recipient"
    owners = {c.account_id for c in matching}
    if len(owners) == 1:
        return Route(None, owners.pop(), "quarantine: account of the matching companies", reason)
    if len(accounts_using_code) == 1:
        account = next(iter(accounts_using_code))
        return Route(None, account, f"quarantine: account using codice destinatario {code}", reason)
    return Route(None, None, "quarantine: operator", reason)
