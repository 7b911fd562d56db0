"""Invoices of a realistic 2026 for the LIPE tests: JSON for the active cycle, FatturaPA XML files
delivered by SDI for the passive one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CUSTOMER_VAT = "01234560017"


@dataclass(frozen=True)
class Line:
    taxable: str
    rate: str = "22.00"
    esigibilita: str = "I"
    natura: str | None = None

    @property
    def vat(self) -> str:
        return str((Decimal(self.taxable) * Decimal(self.rate) / 100).quantize(Decimal("0.01")))


def active(numero: str, day: date, *lines: Line, tipo: str = "TD01") -> dict:
    """An invoice as the ERP posts it, its summary written out (with EsigibilitaIVA)."""
    details = [
        {
            "NumeroLinea": n,
            "Descrizione": "Servizio",
            "PrezzoUnitario": line.taxable,
            "PrezzoTotale": line.taxable,
            "AliquotaIVA": line.rate,
            **({"Natura": line.natura} if line.natura else {}),
        }
        for n, line in enumerate(lines, start=1)
    ]
    summary = [
        {
            "AliquotaIVA": line.rate,
            **({"Natura": line.natura} if line.natura else {}),
            "ImponibileImporto": line.taxable,
            "Imposta": line.vat,
            "EsigibilitaIVA": line.esigibilita,
        }
        for line in lines
    ]
    return {
        "FatturaElettronicaHeader": {
            "CessionarioCommittente": {
                "DatiAnagrafici": {
                    "IdFiscaleIVA": {"IdPaese": "IT", "IdCodice": CUSTOMER_VAT},
                    "Anagrafica": {"Denominazione": "CLIENTE SPA"},
                },
                "Sede": {"Indirizzo": "VIA VERDI 2", "CAP": "20100", "Comune": "MILANO", "Nazione": "IT"},
            }
        },
        "FatturaElettronicaBody": [
            {
                "DatiGenerali": {
                    "DatiGeneraliDocumento": {
                        "TipoDocumento": tipo,
                        "Divisa": "EUR",
                        "Data": day.isoformat(),
                        "Numero": numero,
                    }
                },
                "DatiBeniServizi": {"DettaglioLinee": details, "DatiRiepilogo": summary},
            }
        ],
    }


def received(
    recipient_vat: str,
    supplier_vat: str,
    supplier: str,
    numero: str,
    day: date,
    *lines: Line,
    tipo: str = "TD01",
) -> bytes:
    """A FatturaPA FPR12 file from `supplier` to us."""
    details = "".join(
        f"<DettaglioLinee><NumeroLinea>{n}</NumeroLinea><Descrizione>Fornitura</Descrizione>"
        f"<PrezzoUnitario>{line.taxable}</PrezzoUnitario><PrezzoTotale>{line.taxable}</PrezzoTotale>"
        f"<AliquotaIVA>{line.rate}</AliquotaIVA></DettaglioLinee>"
        for n, line in enumerate(lines, start=1)
    )
    summary = "".join(
        f"<DatiRiepilogo><AliquotaIVA>{line.rate}</AliquotaIVA><ImponibileImporto>{line.taxable}</ImponibileImporto>"
        f"<Imposta>{line.vat}</Imposta><EsigibilitaIVA>{line.esigibilita}</EsigibilitaIVA></DatiRiepilogo>"
        for line in lines
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<p:FatturaElettronica versione="FPR12" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2">
<FatturaElettronicaHeader>
 <DatiTrasmissione><IdTrasmittente><IdPaese>IT</IdPaese><IdCodice>{supplier_vat}</IdCodice></IdTrasmittente>
  <ProgressivoInvio>{numero.replace("/", "")[:10]}</ProgressivoInvio>
  <FormatoTrasmissione>FPR12</FormatoTrasmissione>
  <CodiceDestinatario>0000000</CodiceDestinatario></DatiTrasmissione>
 <CedentePrestatore><DatiAnagrafici><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>{supplier_vat}</IdCodice>
  </IdFiscaleIVA><Anagrafica><Denominazione>{supplier}</Denominazione></Anagrafica>
  <RegimeFiscale>RF01</RegimeFiscale></DatiAnagrafici>
  <Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>00100</CAP><Comune>ROMA</Comune><Nazione>IT</Nazione></Sede>
 </CedentePrestatore>
 <CessionarioCommittente><DatiAnagrafici><IdFiscaleIVA><IdPaese>IT</IdPaese><IdCodice>{recipient_vat}</IdCodice>
  </IdFiscaleIVA><Anagrafica><Denominazione>ACME SRL</Denominazione></Anagrafica></DatiAnagrafici>
  <Sede><Indirizzo>VIA ROMA 1</Indirizzo><CAP>00100</CAP><Comune>ROMA</Comune><Nazione>IT</Nazione></Sede>
 </CessionarioCommittente>
</FatturaElettronicaHeader>
<FatturaElettronicaBody>
 <DatiGenerali><DatiGeneraliDocumento><TipoDocumento>{tipo}</TipoDocumento><Divisa>EUR</Divisa>
  <Data>{day.isoformat()}</Data><Numero>{numero}</Numero></DatiGeneraliDocumento></DatiGenerali>
 <DatiBeniServizi>{details}{summary}</DatiBeniServizi>
</FatturaElettronicaBody>
</p:FatturaElettronica>""".encode()
