"""FatturaPA semplificata (FSM10) v1.0.2 — generated from specs/fatturapa-semplificata/Schema_VFSM10_v1.0.2.xsd.

Do not edit: run `python tools/generate_models.py` to regenerate.
"""

from datetime import date, datetime  # noqa: F401
from decimal import Decimal  # noqa: F401
from typing import Annotated

from pydantic import Field  # noqa: F401

from fatturahub.fatturapa.model.base import (  # noqa: F401
    XML_ATTRIBUTE,
    XML_SIGNATURE,
    CodeList,
    Decimals,
    Element,
    RootElement,
)
from fatturahub.fatturapa.model.ordinaria import (  # noqa: F401
    Allegati,
    BolloVirtuale,
    IdFiscale,
    Indirizzo,
    IscrizioneREA,
    RegimeFiscale,
    SoggettoEmittente,
)


class FormatoTrasmissione(CodeList):
    FSM10 = 'FSM10', 'Fattura verso privati semplificata'


class DatiTrasmissione(Element):
    """Blocco relativo ai dati di trasmissione della Fattura Elettronica"""

    IdTrasmittente: IdFiscale
    ProgressivoInvio: str
    FormatoTrasmissione: FormatoTrasmissione
    CodiceDestinatario: str
    PECDestinatario: str | None = None


class RappresentanteFiscale(Element):
    """Blocco relativo ai dati del Rappresentante Fiscale"""

    IdFiscaleIVA: IdFiscale
    Denominazione: str | None = None
    Nome: str | None = None
    Cognome: str | None = None


class CedentePrestatore(Element):
    """Blocco relativo ai dati del Cedente / Prestatore"""

    IdFiscaleIVA: IdFiscale
    CodiceFiscale: str | None = None
    Denominazione: str | None = None
    Nome: str | None = None
    Cognome: str | None = None
    Sede: Indirizzo
    StabileOrganizzazione: Indirizzo | None = None
    RappresentanteFiscale: Annotated[RappresentanteFiscale | None, Field(default=None)]
    IscrizioneREA: Annotated[IscrizioneREA | None, Field(default=None)]
    RegimeFiscale: RegimeFiscale


class IdentificativiFiscali(Element):
    IdFiscaleIVA: IdFiscale | None = None
    CodiceFiscale: str | None = None


class AltriDatiIdentificativi(Element):
    Denominazione: str | None = None
    Nome: str | None = None
    Cognome: str | None = None
    Sede: Indirizzo
    StabileOrganizzazione: Indirizzo | None = None
    RappresentanteFiscale: Annotated[RappresentanteFiscale | None, Field(default=None)]


class CessionarioCommittente(Element):
    """Blocco relativo ai dati del Cessionario / Committente"""

    IdentificativiFiscali: IdentificativiFiscali
    AltriDatiIdentificativi: Annotated[AltriDatiIdentificativi | None, Field(default=None)]


class FatturaElettronicaHeader(Element):
    DatiTrasmissione: DatiTrasmissione
    CedentePrestatore: CedentePrestatore
    CessionarioCommittente: CessionarioCommittente
    SoggettoEmittente: Annotated[SoggettoEmittente | None, Field(default=None)]


class TipoDocumento(CodeList):
    TD07 = 'TD07', 'Fattura semplificata'
    TD08 = 'TD08', 'Nota di credito semplificata'
    TD09 = 'TD09', 'Nota di debito semplificata'


class DatiGeneraliDocumento(Element):
    TipoDocumento: TipoDocumento
    Divisa: str
    Data: date
    Numero: str
    BolloVirtuale: Annotated[BolloVirtuale | None, Field(default=None)]


class DatiFatturaRettificata(Element):
    NumeroFR: str
    DataFR: date
    ElementiRettificati: str


class DatiGenerali(Element):
    """Blocco relativo ai Dati Generali della Fattura Elettronica"""

    DatiGeneraliDocumento: DatiGeneraliDocumento
    DatiFatturaRettificata: Annotated[DatiFatturaRettificata | None, Field(default=None)]


class DatiIVA(Element):
    Imposta: Annotated[Decimal | None, Decimals(2, 2)] = None
    Aliquota: Annotated[Decimal | None, Decimals(2, 2)] = None


class Natura(CodeList):
    N1 = 'N1', 'Escluse ex. art. 15 del D.P.R. 633/1972'
    N2 = 'N2', 'Non soggette'
    N2_1 = 'N2.1', 'Non soggette ad IVA ai sensi degli artt. da 7 a 7-septies del DPR 633/72'
    N2_2 = 'N2.2', 'Non soggette - altri casi'
    N3 = 'N3', 'Non imponibili'
    N3_1 = 'N3.1', 'Non Imponibili - esportazioni'
    N3_2 = 'N3.2', 'Non Imponibili - cessioni intracomunitarie'
    N3_3 = 'N3.3', 'Non Imponibili - cessioni verso San Marino'
    N3_4 = 'N3.4', "Non Imponibili - operazioni assimilate alle cessioni all'esportazione"
    N3_5 = 'N3.5', "Non Imponibili - a seguito di dichiarazioni d'intento"
    N3_6 = 'N3.6', 'Non Imponibili - altre operazioni che non concorrono alla formazione del plafond'
    N4 = 'N4', 'Esenti'
    N5 = 'N5', 'Regime del margine/IVA non esposta in fattura'


class DatiBeniServizi(Element):
    """Blocco relativo ai dati di Beni Servizi della Fattura Elettronica"""

    Descrizione: str
    Importo: Annotated[Decimal, Decimals(2, 2)]
    DatiIVA: DatiIVA
    Natura: Annotated[Natura | None, Field(default=None)]
    RiferimentoNormativo: str | None = None


class FatturaElettronicaBody(Element):
    DatiGenerali: DatiGenerali
    DatiBeniServizi: Annotated[list[DatiBeniServizi], Field(min_length=1)]
    Allegati: Annotated[list[Allegati], Field(default_factory=list)]


class FatturaElettronicaSemplificata(RootElement):
    FatturaElettronicaHeader: FatturaElettronicaHeader
    FatturaElettronicaBody: Annotated[list[FatturaElettronicaBody], Field(min_length=1)]
    versione: Annotated[FormatoTrasmissione, XML_ATTRIBUTE]
    SistemaEmittente: Annotated[str | None, XML_ATTRIBUTE] = None
    Signature: Annotated[str | None, XML_SIGNATURE] = None
