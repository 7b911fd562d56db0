"""Compact, schema-valid invoices for the control tests, and small ways to bend them.

The base ordinaria invoice passes every control: a taxed line (2 x 50.00 at 22%), a zero-rate
line (N1 stamp duty recharge) and their two summaries. Identifiers carry correct check digits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fatturahub.fatturapa.controls import check
from fatturahub.fatturapa.model.ordinaria import (
    DatiCassaPrevidenziale,
    DatiRiepilogo,
    DettaglioLinee,
    FatturaElettronica,
    IdFiscale,
    Natura,
)
from fatturahub.fatturapa.model.semplificata import FatturaElettronicaSemplificata

SUPPLIER_VAT = "02468101213"
CUSTOMER_VAT = "13579130017"
REPRESENTATIVE_VAT = "08642130150"
TRANSMITTER_CF = "RSSMRA85T10A562S"  # an intermediary, a natural person
ISSUE_DATE = date(2025, 6, 10)

_ADDRESS = {"Indirizzo": "VIA ROMA 1", "CAP": "00100", "Comune": "ROMA", "Nazione": "IT"}


def invoice() -> FatturaElettronica:
    return FatturaElettronica.model_validate(
        {
            "versione": "FPR12",
            "FatturaElettronicaHeader": {
                "DatiTrasmissione": {
                    "IdTrasmittente": {"IdPaese": "IT", "IdCodice": TRANSMITTER_CF},
                    "ProgressivoInvio": "00001",
                    "FormatoTrasmissione": "FPR12",
                    "CodiceDestinatario": "ABC1234",
                },
                "CedentePrestatore": {
                    "DatiAnagrafici": {
                        "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": SUPPLIER_VAT},
                        "Anagrafica": {"Denominazione": "ALFA SRL"},
                        "RegimeFiscale": "RF01",
                    },
                    "Sede": _ADDRESS,
                },
                "CessionarioCommittente": {
                    "DatiAnagrafici": {
                        "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": CUSTOMER_VAT},
                        "Anagrafica": {"Denominazione": "BETA SPA"},
                    },
                    "Sede": {**_ADDRESS, "Comune": "MILANO", "CAP": "20100"},
                },
            },
            "FatturaElettronicaBody": [
                {
                    "DatiGenerali": {
                        "DatiGeneraliDocumento": {
                            "TipoDocumento": "TD01",
                            "Divisa": "EUR",
                            "Data": ISSUE_DATE.isoformat(),
                            "Numero": "FT-1",
                        }
                    },
                    "DatiBeniServizi": {
                        "DettaglioLinee": [
                            {
                                "NumeroLinea": 1,
                                "Descrizione": "Consulenza",
                                "Quantita": "2.00",
                                "PrezzoUnitario": "50.00",
                                "PrezzoTotale": "100.00",
                                "AliquotaIVA": "22.00",
                            },
                            {
                                "NumeroLinea": 2,
                                "Descrizione": "Rimborso bollo",
                                "PrezzoUnitario": "2.00",
                                "PrezzoTotale": "2.00",
                                "AliquotaIVA": "0.00",
                                "Natura": "N1",
                            },
                        ],
                        "DatiRiepilogo": [
                            {
                                "AliquotaIVA": "22.00",
                                "ImponibileImporto": "100.00",
                                "Imposta": "22.00",
                                "EsigibilitaIVA": "I",
                            },
                            {
                                "AliquotaIVA": "0.00",
                                "Natura": "N1",
                                "ImponibileImporto": "2.00",
                                "Imposta": "0.00",
                            },
                        ],
                    },
                }
            ],
        }
    )


def simplified_invoice() -> FatturaElettronicaSemplificata:
    return FatturaElettronicaSemplificata.model_validate(
        {
            "versione": "FSM10",
            "FatturaElettronicaHeader": {
                "DatiTrasmissione": {
                    "IdTrasmittente": {"IdPaese": "IT", "IdCodice": SUPPLIER_VAT},
                    "ProgressivoInvio": "00002",
                    "FormatoTrasmissione": "FSM10",
                    "CodiceDestinatario": "0000000",
                },
                "CedentePrestatore": {
                    "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": SUPPLIER_VAT},
                    "Denominazione": "ALFA SRL",
                    "Sede": _ADDRESS,
                    "RegimeFiscale": "RF01",
                },
                "CessionarioCommittente": {"IdentificativiFiscali": {"CodiceFiscale": TRANSMITTER_CF}},
            },
            "FatturaElettronicaBody": [
                {
                    "DatiGenerali": {
                        "DatiGeneraliDocumento": {
                            "TipoDocumento": "TD07",
                            "Divisa": "EUR",
                            "Data": ISSUE_DATE.isoformat(),
                            "Numero": "S-1",
                        }
                    },
                    "DatiBeniServizi": [
                        {
                            "Descrizione": "Riparazione",
                            "Importo": "122.00",
                            "DatiIVA": {"Imposta": "22.00"},
                        }
                    ],
                }
            ],
        }
    )


# --- bending ---------------------------------------------------------------------------------
def body(doc, number: int = 1):
    return doc.FatturaElettronicaBody[number - 1]


def general(doc, number: int = 1):
    return body(doc, number).DatiGenerali.DatiGeneraliDocumento


def line(doc, number: int):
    return body(doc).DatiBeniServizi.DettaglioLinee[number - 1]


def summary(doc, number: int):
    return body(doc).DatiBeniServizi.DatiRiepilogo[number - 1]


def seller(doc):
    return doc.FatturaElettronicaHeader.CedentePrestatore.DatiAnagrafici


def buyer(doc):
    return doc.FatturaElettronicaHeader.CessionarioCommittente.DatiAnagrafici


def vat(country: str, code: str) -> IdFiscale:
    return IdFiscale(IdPaese=country, IdCodice=code)


def add_free_line(doc, rate: str, natura: Natura | None = None, **extra) -> DettaglioLinee:
    """A zero-amount line: changes rates and Natura without touching any total."""
    lines = body(doc).DatiBeniServizi.DettaglioLinee
    new = DettaglioLinee(
        NumeroLinea=len(lines) + 1,
        Descrizione="Omaggio",
        PrezzoUnitario=Decimal("0.00"),
        PrezzoTotale=Decimal("0.00"),
        AliquotaIVA=Decimal(rate),
        Natura=natura,
        **extra,
    )
    lines.append(new)
    return new


def add_free_summary(doc, rate: str, natura: Natura | None = None) -> DatiRiepilogo:
    new = DatiRiepilogo(
        AliquotaIVA=Decimal(rate),
        Natura=natura,
        ImponibileImporto=Decimal("0.00"),
        Imposta=Decimal("0.00"),
    )
    body(doc).DatiBeniServizi.DatiRiepilogo.append(new)
    return new


def add_free_cassa(doc, rate: str, natura: Natura | None = None, **extra):
    new = DatiCassaPrevidenziale(
        TipoCassa="TC22",
        AlCassa=Decimal("4.00"),
        ImportoContributoCassa=Decimal("0.00"),
        AliquotaIVA=Decimal(rate),
        Natura=natura,
        **extra,
    )
    general(doc).DatiCassaPrevidenziale.append(new)
    return new


def codes(doc, **options) -> list[str]:
    return check(doc, **options).codes
