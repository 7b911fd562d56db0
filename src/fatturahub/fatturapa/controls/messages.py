"""The message catalogue: an Italian and an English template for every finding a rule emits.

A template is keyed by the SDI code; format errors (00200) come in variants, named by the
finding's `variant` parameter ("00200.charset"). Templates use the finding's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from fatturahub.fatturapa.findings import Finding
from fatturahub.fatturapa.issues import Issue
from fatturahub.fatturapa.totals import TEMPLATES

LANGUAGES = ("it", "en")


@dataclass(frozen=True)
class Message:
    it: str
    en: str

    def render(self, lang: str, params: dict[str, str]) -> str:
        return getattr(self, lang).format_map(params)


CATALOGUE: dict[str, Message] = {
    "00200.charset": Message(
        "carattere «{char}» ({codepoint}) in posizione {position} non ammesso: "
        "il campo accetta solo {charset}",
        "character «{char}» ({codepoint}) at position {position} is not allowed: "
        "the field accepts {charset} only",
    ),
    "00200.release": Message(
        "valore {value} non previsto dalle specifiche tecniche {release}",
        "value {value} does not exist in specification release {release}",
    ),
    "00300": Message(
        "IdCodice del trasmittente {value} non valido (carattere di controllo errato)",
        "transmitter IdCodice {value} is not valid (wrong check character)",
    ),
    "00301": Message(
        "partita IVA del cedente/prestatore {value} non valida (cifra di controllo errata)",
        "supplier VAT number {value} is not valid (wrong check digit)",
    ),
    "00302": Message(
        "codice fiscale del cedente/prestatore {value} non valido (carattere di controllo errato)",
        "supplier codice fiscale {value} is not valid (wrong check character)",
    ),
    "00303": Message(
        "partita IVA del rappresentante fiscale {value} non valida (cifra di controllo errata)",
        "fiscal representative VAT number {value} is not valid (wrong check digit)",
    ),
    "00304": Message(
        "codice fiscale del rappresentante fiscale {value} non valido (carattere di controllo errato)",
        "fiscal representative codice fiscale {value} is not valid (wrong check character)",
    ),
    "00305": Message(
        "partita IVA del cessionario/committente {value} non valida (cifra di controllo errata)",
        "customer VAT number {value} is not valid (wrong check digit)",
    ),
    "00306": Message(
        "codice fiscale del cessionario/committente {value} non valido (carattere di controllo errato)",
        "customer codice fiscale {value} is not valid (wrong check character)",
    ),
    "00313": Message(
        "CodiceDestinatario XXXXXXX ammesso solo per un cessionario/committente non residente, "
        "identificato da IdFiscaleIVA con IdPaese diverso da IT",
        "CodiceDestinatario XXXXXXX is only for a non-resident customer, identified by an "
        "IdFiscaleIVA whose IdPaese is not IT",
    ),
    "00330": Message(
        "PECDestinatario {value} è una casella del Sistema di Interscambio",
        "PECDestinatario {value} is a mailbox of the Sistema di Interscambio",
    ),
    "00400": Message(
        "linea {line}: Natura assente con AliquotaIVA pari a zero",
        "line {line}: Natura missing with a zero AliquotaIVA",
    ),
    "00401": Message(
        "linea {line}: Natura {natura} presente con AliquotaIVA {rate} diversa da zero "
        "(ammessa solo per TD16)",
        "line {line}: Natura {natura} given with non-zero AliquotaIVA {rate} (allowed for TD16 only)",
    ),
    "00403": Message(
        "data del documento {date} successiva alla data di ricezione {receipt}",
        "document date {date} is after the date of receipt {receipt}",
    ),
    "00404": Message(
        "fattura duplicata: numero {number} del {period} già presente",
        "duplicate invoice: number {number} of {period} already exists",
    ),
    "00409": Message(
        "fattura duplicata nel lotto: numero {number} del {period} già presente in {first}",
        "duplicate invoice in the lotto: number {number} of {period} already at {first}",
    ),
    "00411": Message(
        "linea {line}: Ritenuta SI senza DatiRitenuta nel documento",
        "line {line}: Ritenuta SI without DatiRitenuta in the document",
    ),
    "00413": Message(
        "cassa previdenziale: Natura assente con AliquotaIVA pari a zero",
        "cassa previdenziale: Natura missing with a zero AliquotaIVA",
    ),
    "00414": Message(
        "cassa previdenziale: Natura {natura} presente con AliquotaIVA {rate} diversa da zero",
        "cassa previdenziale: Natura {natura} given with non-zero AliquotaIVA {rate}",
    ),
    "00415": Message(
        "cassa previdenziale: Ritenuta SI senza DatiRitenuta nel documento",
        "cassa previdenziale: Ritenuta SI without DatiRitenuta in the document",
    ),
    "00417": Message(
        "cessionario/committente privo sia di IdFiscaleIVA sia di CodiceFiscale",
        "customer has neither IdFiscaleIVA nor CodiceFiscale",
    ),
    "00418": Message(
        "nota di credito del {date} anteriore alla fattura collegata del {linked}",
        "credit note of {date} predates the linked invoice of {linked}",
    ),
    "00419": Message(
        "AliquotaIVA {rate} di linee o cassa senza DatiRiepilogo corrispondente",
        "AliquotaIVA {rate} of lines or cassa has no matching DatiRiepilogo",
    ),
    "00420": Message(
        "Natura {natura} (inversione contabile) incompatibile con EsigibilitaIVA S (scissione dei pagamenti)",
        "Natura {natura} (reverse charge) is incompatible with EsigibilitaIVA S (split payment)",
    ),
    # the arithmetic controls keep the totals engine's own wording
    **{code: Message(text["it"], text["en"]) for code, text in TEMPLATES.items()},
    "00424": Message(
        "AliquotaIVA {rate} non espressa in termini percentuali (es. 22.00, non 0.22)",
        "AliquotaIVA {rate} is not a percentage (22.00, not 0.22)",
    ),
    "00425": Message(
        "Numero {number} privo di caratteri numerici",
        "Numero {number} contains no digit",
    ),
    "00427": Message(
        "CodiceDestinatario di lunghezza non compatibile con {format}: attesi {length} caratteri",
        "CodiceDestinatario length does not fit {format}: {length} characters expected",
    ),
    "00428": Message(
        "FormatoTrasmissione {format} diverso dall'attributo versione {version}",
        "FormatoTrasmissione {format} differs from the versione attribute {version}",
    ),
    "00429": Message(
        "DatiRiepilogo: Natura assente con AliquotaIVA pari a zero",
        "DatiRiepilogo: Natura missing with a zero AliquotaIVA",
    ),
    "00430": Message(
        "DatiRiepilogo: Natura {natura} presente con AliquotaIVA {rate} diversa da zero "
        "(ammessa solo per TD16)",
        "DatiRiepilogo: Natura {natura} given with non-zero AliquotaIVA {rate} (allowed for TD16 only)",
    ),
    "00437": Message(
        "ScontoMaggiorazione {kind} del documento senza Percentuale né Importo",
        "document ScontoMaggiorazione {kind} has neither Percentuale nor Importo",
    ),
    "00438": Message(
        "linea {line}: ScontoMaggiorazione {kind} senza Percentuale né Importo",
        "line {line}: ScontoMaggiorazione {kind} has neither Percentuale nor Importo",
    ),
    "00443": Message(
        "AliquotaIVA {rate} di DatiRiepilogo non presente in alcuna linea o cassa",
        "DatiRiepilogo AliquotaIVA {rate} is used by no line or cassa",
    ),
    "00444": Message(
        "Natura {natura} senza corrispondenza tra linee/cassa e DatiRiepilogo",
        "Natura {natura} does not match between lines/cassa and DatiRiepilogo",
    ),
    "00445": Message(
        "Natura {natura} generica non più ammessa dal 1° gennaio 2021: usare un sottocodice",
        "generic Natura {natura} is no longer allowed since 1 January 2021: use a sub-code",
    ),
    "00460": Message(
        "importo totale {total} oltre il limite di {limit} della fattura semplificata",
        "total amount {total} exceeds the simplified-invoice limit of {limit}",
    ),
    "00471": Message(
        "con TipoDocumento {type} il cedente/prestatore non può coincidere con il cessionario/committente",
        "with TipoDocumento {type} the supplier cannot be the customer",
    ),
    "00472": Message(
        "con TipoDocumento {type} il cedente/prestatore deve coincidere con il cessionario/committente",
        "with TipoDocumento {type} the supplier must be the customer",
    ),
    "00473": Message(
        "IdPaese {country} del cedente/prestatore non ammesso con TipoDocumento {type}",
        "supplier IdPaese {country} is not allowed with TipoDocumento {type}",
    ),
    "00474": Message(
        "linea {line}: AliquotaIVA pari a zero non ammessa con TipoDocumento TD21",
        "line {line}: a zero AliquotaIVA is not allowed with TipoDocumento TD21",
    ),
    "00475": Message(
        "con TipoDocumento {type} è obbligatorio l'IdFiscaleIVA del cessionario/committente",
        "with TipoDocumento {type} the customer's IdFiscaleIVA is required",
    ),
    "00476": Message(
        "cedente/prestatore ({supplier}) e cessionario/committente ({customer}) "
        "entrambi non residenti in Italia",
        "supplier ({supplier}) and customer ({customer}) are both not Italian",
    ),
}


def message_key(finding: Finding) -> str:
    variant = finding.params.get("variant")
    return f"{finding.code}.{variant}" if variant else finding.code


def require_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")


def render(finding: Finding, lang: str) -> Issue:
    require_language(lang)
    message = CATALOGUE[message_key(finding)]
    return Issue(finding.code, finding.path, message.render(lang, dict(finding.params)))
