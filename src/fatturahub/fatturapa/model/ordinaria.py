"""FatturaPA ordinaria (FPA12 / FPR12) v1.2.3 — generated from specs/fatturapa/Schema_del_file_xml_FatturaPA_v1.2.3.xsd.

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


class IdFiscale(Element):
    IdPaese: str
    IdCodice: str


class FormatoTrasmissione(CodeList):
    FPA12 = 'FPA12', 'Fattura verso PA'
    FPR12 = 'FPR12', 'Fattura verso privati'


class ContattiTrasmittente(Element):
    Telefono: str | None = None
    Email: str | None = None


class DatiTrasmissione(Element):
    """Blocco relativo ai dati di trasmissione della Fattura Elettronica"""

    IdTrasmittente: IdFiscale
    ProgressivoInvio: str
    FormatoTrasmissione: FormatoTrasmissione
    CodiceDestinatario: str
    ContattiTrasmittente: Annotated[ContattiTrasmittente | None, Field(default=None)]
    PECDestinatario: str | None = None


class Anagrafica(Element):
    """Il campo Denominazione è in alternativa ai campi Nome e Cognome"""

    Denominazione: str | None = None
    Nome: str | None = None
    Cognome: str | None = None
    Titolo: str | None = None
    CodEORI: str | None = None


class RegimeFiscale(CodeList):
    RF01 = 'RF01', 'Regime ordinario'
    RF02 = 'RF02', 'Regime dei contribuenti minimi (art. 1,c.96-117, L. 244/2007)'
    RF04 = 'RF04', 'Agricoltura e attività connesse e pesca (artt. 34 e 34-bis, D.P.R. 633/1972)'
    RF05 = 'RF05', 'Vendita sali e tabacchi (art. 74, c.1, D.P.R. 633/1972)'
    RF06 = 'RF06', 'Commercio dei fiammiferi (art. 74, c.1, D.P.R. 633/1972)'
    RF07 = 'RF07', 'Editoria (art. 74, c.1, D.P.R. 633/1972)'
    RF08 = 'RF08', 'Gestione di servizi di telefonia pubblica (art. 74, c.1, D.P.R. 633/1972)'
    RF09 = 'RF09', 'Rivendita di documenti di trasporto pubblico e di sosta (art. 74, c.1, D.P.R. 633/1972)'
    RF10 = 'RF10', 'Intrattenimenti, giochi e altre attività di cui alla tariffa allegata al D.P.R. 640/72 (art. 74, c.6, D.P.R. 633/1972)'
    RF11 = 'RF11', 'Agenzie di viaggi e turismo (art. 74-ter, D.P.R. 633/1972)'
    RF12 = 'RF12', 'Agriturismo (art. 5, c.2, L. 413/1991)'
    RF13 = 'RF13', 'Vendite a domicilio (art. 25-bis, c.6, D.P.R. 600/1973)'
    RF14 = 'RF14', 'Rivendita di beni usati, di oggetti d’arte, d’antiquariato o da collezione (art. 36, D.L. 41/1995)'
    RF15 = 'RF15', 'Agenzie di vendite all’asta di oggetti d’arte, antiquariato o da collezione (art. 40-bis, D.L. 41/1995)'
    RF16 = 'RF16', 'IVA per cassa P.A. (art. 6, c.5, D.P.R. 633/1972)'
    RF17 = 'RF17', 'IVA per cassa (art. 32-bis, D.L. 83/2012)'
    RF18 = 'RF18', 'Altro'
    RF19 = 'RF19', 'Regime forfettario'
    RF20 = 'RF20', 'Regime transfrontaliero di Franchigia IVA (Direttiva UE 2020/285)'


class DatiAnagraficiCedente(Element):
    IdFiscaleIVA: IdFiscale
    CodiceFiscale: str | None = None
    Anagrafica: Anagrafica
    AlboProfessionale: str | None = None
    ProvinciaAlbo: str | None = None
    NumeroIscrizioneAlbo: str | None = None
    DataIscrizioneAlbo: date | None = None
    RegimeFiscale: RegimeFiscale


class Indirizzo(Element):
    Indirizzo: str
    NumeroCivico: str | None = None
    CAP: str
    Comune: str
    Provincia: str | None = None
    Nazione: str


class SocioUnico(CodeList):
    SU = 'SU', 'socio unico'
    SM = 'SM', 'più soci'


class StatoLiquidazione(CodeList):
    LS = 'LS', 'in liquidazione'
    LN = 'LN', 'non in liquidazione'


class IscrizioneREA(Element):
    Ufficio: str
    NumeroREA: str
    CapitaleSociale: Annotated[Decimal | None, Decimals(2, 2)] = None
    SocioUnico: Annotated[SocioUnico | None, Field(default=None)]
    StatoLiquidazione: StatoLiquidazione


class Contatti(Element):
    Telefono: str | None = None
    Fax: str | None = None
    Email: str | None = None


class CedentePrestatore(Element):
    """Blocco relativo ai dati del Cedente / Prestatore"""

    DatiAnagrafici: DatiAnagraficiCedente
    Sede: Indirizzo
    StabileOrganizzazione: Indirizzo | None = None
    IscrizioneREA: Annotated[IscrizioneREA | None, Field(default=None)]
    Contatti: Annotated[Contatti | None, Field(default=None)]
    RiferimentoAmministrazione: str | None = None


class DatiAnagraficiRappresentante(Element):
    IdFiscaleIVA: IdFiscale
    CodiceFiscale: str | None = None
    Anagrafica: Anagrafica


class RappresentanteFiscale(Element):
    """Blocco relativo ai dati del Rappresentante Fiscale"""

    DatiAnagrafici: DatiAnagraficiRappresentante


class DatiAnagraficiCessionario(Element):
    IdFiscaleIVA: IdFiscale | None = None
    CodiceFiscale: str | None = None
    Anagrafica: Anagrafica


class RappresentanteFiscaleCessionario(Element):
    IdFiscaleIVA: IdFiscale
    Denominazione: str | None = None
    Nome: str | None = None
    Cognome: str | None = None


class CessionarioCommittente(Element):
    """Blocco relativo ai dati del Cessionario / Committente"""

    DatiAnagrafici: DatiAnagraficiCessionario
    Sede: Indirizzo
    StabileOrganizzazione: Indirizzo | None = None
    RappresentanteFiscale: Annotated[RappresentanteFiscaleCessionario | None, Field(default=None)]


class DatiAnagraficiTerzoIntermediario(Element):
    IdFiscaleIVA: IdFiscale | None = None
    CodiceFiscale: str | None = None
    Anagrafica: Anagrafica


class TerzoIntermediarioSoggettoEmittente(Element):
    """Blocco relativo ai dati del Terzo Intermediario che emette fattura elettronica per conto del Cedente/Prestatore"""

    DatiAnagrafici: DatiAnagraficiTerzoIntermediario


class SoggettoEmittente(CodeList):
    CC = 'CC', 'Cessionario / Committente'
    TZ = 'TZ', 'Terzo'


class FatturaElettronicaHeader(Element):
    DatiTrasmissione: DatiTrasmissione
    CedentePrestatore: CedentePrestatore
    RappresentanteFiscale: Annotated[RappresentanteFiscale | None, Field(default=None)]
    CessionarioCommittente: CessionarioCommittente
    TerzoIntermediarioOSoggettoEmittente: TerzoIntermediarioSoggettoEmittente | None = None
    SoggettoEmittente: Annotated[SoggettoEmittente | None, Field(default=None)]


class TipoDocumento(CodeList):
    TD01 = 'TD01', 'Fattura'
    TD02 = 'TD02', 'Acconto / anticipo su fattura'
    TD03 = 'TD03', 'Acconto / anticipo su parcella'
    TD04 = 'TD04', 'Nota di credito'
    TD05 = 'TD05', 'Nota di debito'
    TD06 = 'TD06', 'Parcella'
    TD16 = 'TD16', 'Integrazione fattura reverse charge interno'
    TD17 = 'TD17', "Integrazione/autofattura per acquisto servizi dall'estero"
    TD18 = 'TD18', 'Integrazione per acquisto di beni intracomunitari'
    TD19 = 'TD19', 'Integrazione/autofattura per acquisto di beni ex art.17 c.2 DPR 633/72'
    TD20 = 'TD20', 'Autofattura per regolarizzazione e integrazione delle fatture (ex art. 6 c.9-bis d.lgs. 471/97 o art.46 c.5 D.L. 331/93)'
    TD21 = 'TD21', 'Autofattura per splafonamento'
    TD22 = 'TD22', 'Estrazione benida Deposito IVA'
    TD23 = 'TD23', "Estrazione beni da Deposito IVA con versamento dell'IVA"
    TD24 = 'TD24', "Fattura differita di cui all'art.21, comma 4, terzo periodo lett. a) DPR 633/72"
    TD25 = 'TD25', "Fattura differita di cui all'art.21, comma 4, terzo periodo lett. b) DPR 633/72"
    TD26 = 'TD26', 'Cessione di beni ammortizzabili e per passaggi interni (ex art.36 DPR 633/72)'
    TD27 = 'TD27', 'Fattura per autoconsumo o per cessioni gratuite senza rivalsa'
    TD28 = 'TD28', 'Acquisti da San Marino con IVA (fattura cartacea)'
    TD29 = 'TD29', 'Comunicazione per omessa o irregolare fatturazione da parte del cedente/prestatore italiano (art. 6, comma 8, D.Lgs. 471/97)'


class TipoRitenuta(CodeList):
    RT01 = 'RT01', 'Ritenuta di acconto persone fisiche'
    RT02 = 'RT02', 'Ritenuta di acconto persone giuridiche'
    RT03 = 'RT03', 'Contributo INPS'
    RT04 = 'RT04', 'Contributo ENASARCO'
    RT05 = 'RT05', 'Contributo ENPAM'
    RT06 = 'RT06', 'Altro contributo previdenziale'


class CausalePagamento(CodeList):
    A = 'A', ''
    B = 'B', ''
    C = 'C', ''
    D = 'D', ''
    E = 'E', ''
    G = 'G', ''
    H = 'H', ''
    I = 'I', ''
    L = 'L', ''
    M = 'M', ''
    N = 'N', ''
    O = 'O', ''
    P = 'P', ''
    Q = 'Q', ''
    R = 'R', ''
    S = 'S', ''
    T = 'T', ''
    U = 'U', ''
    V = 'V', ''
    W = 'W', ''
    X = 'X', ''
    Y = 'Y', ''
    Z = 'Z', ''
    L1 = 'L1', ''
    M1 = 'M1', ''
    M2 = 'M2', ''
    O1 = 'O1', ''
    V1 = 'V1', ''
    ZO = 'ZO', ''


class DatiRitenuta(Element):
    TipoRitenuta: TipoRitenuta
    ImportoRitenuta: Annotated[Decimal, Decimals(2, 2)]
    AliquotaRitenuta: Annotated[Decimal, Decimals(2, 2)]
    CausalePagamento: CausalePagamento


class BolloVirtuale(CodeList):
    SI = 'SI', ''


class DatiBollo(Element):
    BolloVirtuale: BolloVirtuale
    ImportoBollo: Annotated[Decimal | None, Decimals(2, 2)] = None


class TipoCassa(CodeList):
    TC01 = 'TC01', 'Cassa nazionale previdenza e assistenza avvocati e procuratori legali'
    TC02 = 'TC02', 'Cassa previdenza dottori commercialisti'
    TC03 = 'TC03', 'Cassa previdenza e assistenza geometri'
    TC04 = 'TC04', 'Cassa nazionale previdenza e assistenza ingegneri e architetti liberi professionisti'
    TC05 = 'TC05', 'Cassa nazionale del notariato'
    TC06 = 'TC06', 'Cassa nazionale previdenza e assistenza ragionieri e periti commerciali'
    TC07 = 'TC07', 'Ente nazionale assistenza agenti e rappresentanti di commercio (ENASARCO)'
    TC08 = 'TC08', 'Ente nazionale previdenza e assistenza consulenti del lavoro (ENPACL)'
    TC09 = 'TC09', 'Ente nazionale previdenza e assistenza medici (ENPAM)'
    TC10 = 'TC10', 'Ente nazionale previdenza e assistenza farmacisti (ENPAF)'
    TC11 = 'TC11', 'Ente nazionale previdenza e assistenza veterinari (ENPAV)'
    TC12 = 'TC12', "Ente nazionale previdenza e assistenza impiegati dell'agricoltura (ENPAIA)"
    TC13 = 'TC13', 'Fondo previdenza impiegati imprese di spedizione e agenzie marittime'
    TC14 = 'TC14', 'Istituto nazionale previdenza giornalisti italiani (INPGI)'
    TC15 = 'TC15', 'Opera nazionale assistenza orfani sanitari italiani (ONAOSI)'
    TC16 = 'TC16', 'Cassa autonoma assistenza integrativa giornalisti italiani (CASAGIT)'
    TC17 = 'TC17', 'Ente previdenza periti industriali e periti industriali laureati (EPPI)'
    TC18 = 'TC18', 'Ente previdenza e assistenza pluricategoriale (EPAP)'
    TC19 = 'TC19', 'Ente nazionale previdenza e assistenza biologi (ENPAB)'
    TC20 = 'TC20', 'Ente nazionale previdenza e assistenza professione infermieristica (ENPAPI)'
    TC21 = 'TC21', 'Ente nazionale previdenza e assistenza psicologi (ENPAP)'
    TC22 = 'TC22', 'INPS'


class Ritenuta(CodeList):
    SI = 'SI', 'SI = Cessione / Prestazione soggetta a ritenuta'


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
    N6 = 'N6', 'Inversione contabile (per le operazioni in reverse charge ovvero nei casi di autofatturazione per acquisti extra UE di servizi ovvero per importazioni di beni nei soli casi previsti)'
    N6_1 = 'N6.1', 'Inversione contabile - cessione di rottami e altri materiali di recupero'
    N6_2 = 'N6.2', 'Inversione contabile - cessione di oro e argento ai sensi della legge 7/2000 nonché di oreficeria usata ad OPO'
    N6_3 = 'N6.3', 'Inversione contabile - subappalto nel settore edile'
    N6_4 = 'N6.4', 'Inversione contabile - cessione di fabbricati'
    N6_5 = 'N6.5', 'Inversione contabile - cessione di telefoni cellulari'
    N6_6 = 'N6.6', 'Inversione contabile - cessione di prodotti elettronici'
    N6_7 = 'N6.7', 'Inversione contabile - prestazioni comparto edile e settori connessi'
    N6_8 = 'N6.8', 'Inversione contabile - operazioni settore energetico'
    N6_9 = 'N6.9', 'Inversione contabile - altri casi'
    N7 = 'N7', 'IVA assolta in altro stato UE (prestazione di servizi di telecomunicazioni, tele-radiodiffusione ed elettronici ex art. 7-octies lett. a, b, art. 74-sexies DPR 633/72)'


class DatiCassaPrevidenziale(Element):
    TipoCassa: TipoCassa
    AlCassa: Annotated[Decimal, Decimals(2, 2)]
    ImportoContributoCassa: Annotated[Decimal, Decimals(2, 2)]
    ImponibileCassa: Annotated[Decimal | None, Decimals(2, 2)] = None
    AliquotaIVA: Annotated[Decimal, Decimals(2, 2)]
    Ritenuta: Annotated[Ritenuta | None, Field(default=None)]
    Natura: Annotated[Natura | None, Field(default=None)]
    RiferimentoAmministrazione: str | None = None


class TipoScontoMaggiorazione(CodeList):
    SC = 'SC', 'SC = Sconto'
    MG = 'MG', 'MG = Maggiorazione'


class ScontoMaggiorazione(Element):
    Tipo: TipoScontoMaggiorazione
    Percentuale: Annotated[Decimal | None, Decimals(2, 2)] = None
    Importo: Annotated[Decimal | None, Decimals(2, 8)] = None


class Art73(CodeList):
    SI = 'SI', "SI = Documento emesso secondo modalità e termini stabiliti con DM ai sensi dell'art. 73 DPR 633/72"


class DatiGeneraliDocumento(Element):
    TipoDocumento: TipoDocumento
    Divisa: str
    Data: date
    Numero: str
    DatiRitenuta: Annotated[list[DatiRitenuta], Field(default_factory=list)]
    DatiBollo: Annotated[DatiBollo | None, Field(default=None)]
    DatiCassaPrevidenziale: Annotated[list[DatiCassaPrevidenziale], Field(default_factory=list)]
    ScontoMaggiorazione: Annotated[list[ScontoMaggiorazione], Field(default_factory=list)]
    ImportoTotaleDocumento: Annotated[Decimal | None, Decimals(2, 2)] = None
    Arrotondamento: Annotated[Decimal | None, Decimals(2, 2)] = None
    Causale: list[str] = []
    Art73: Annotated[Art73 | None, Field(default=None)]


class DatiDocumentiCorrelati(Element):
    RiferimentoNumeroLinea: list[int] = []
    IdDocumento: str
    Data: date | None = None
    NumItem: str | None = None
    CodiceCommessaConvenzione: str | None = None
    CodiceCUP: str | None = None
    CodiceCIG: str | None = None


class DatiSAL(Element):
    RiferimentoFase: int


class DatiDDT(Element):
    NumeroDDT: str
    DataDDT: date
    RiferimentoNumeroLinea: list[int] = []


class DatiAnagraficiVettore(Element):
    IdFiscaleIVA: IdFiscale
    CodiceFiscale: str | None = None
    Anagrafica: Anagrafica
    NumeroLicenzaGuida: str | None = None


class DatiTrasporto(Element):
    DatiAnagraficiVettore: Annotated[DatiAnagraficiVettore | None, Field(default=None)]
    MezzoTrasporto: str | None = None
    CausaleTrasporto: str | None = None
    NumeroColli: int | None = None
    Descrizione: str | None = None
    UnitaMisuraPeso: str | None = None
    PesoLordo: Annotated[Decimal | None, Decimals(1, 2)] = None
    PesoNetto: Annotated[Decimal | None, Decimals(1, 2)] = None
    DataOraRitiro: datetime | None = None
    DataInizioTrasporto: date | None = None
    TipoResa: str | None = None
    IndirizzoResa: Indirizzo | None = None
    DataOraConsegna: datetime | None = None


class FatturaPrincipale(Element):
    NumeroFatturaPrincipale: str
    DataFatturaPrincipale: date


class DatiGenerali(Element):
    """Blocco relativo ai Dati Generali della Fattura Elettronica"""

    DatiGeneraliDocumento: DatiGeneraliDocumento
    DatiOrdineAcquisto: list[DatiDocumentiCorrelati] = []
    DatiContratto: list[DatiDocumentiCorrelati] = []
    DatiConvenzione: list[DatiDocumentiCorrelati] = []
    DatiRicezione: list[DatiDocumentiCorrelati] = []
    DatiFattureCollegate: list[DatiDocumentiCorrelati] = []
    DatiSAL: Annotated[list[DatiSAL], Field(default_factory=list)]
    DatiDDT: Annotated[list[DatiDDT], Field(default_factory=list)]
    DatiTrasporto: Annotated[DatiTrasporto | None, Field(default=None)]
    FatturaPrincipale: Annotated[FatturaPrincipale | None, Field(default=None)]


class TipoCessionePrestazione(CodeList):
    SC = 'SC', 'Sconto'
    PR = 'PR', 'Premio'
    AB = 'AB', 'Abbuono'
    AC = 'AC', 'Spesa accessoria'


class CodiceArticolo(Element):
    CodiceTipo: str
    CodiceValore: str


class AltriDatiGestionali(Element):
    TipoDato: str
    RiferimentoTesto: str | None = None
    RiferimentoNumero: Annotated[Decimal | None, Decimals(2, 8)] = None
    RiferimentoData: date | None = None


class DettaglioLinee(Element):
    NumeroLinea: int
    TipoCessionePrestazione: Annotated[TipoCessionePrestazione | None, Field(default=None)]
    CodiceArticolo: Annotated[list[CodiceArticolo], Field(default_factory=list)]
    Descrizione: str
    Quantita: Annotated[Decimal | None, Decimals(2, 8)] = None
    UnitaMisura: str | None = None
    DataInizioPeriodo: date | None = None
    DataFinePeriodo: date | None = None
    PrezzoUnitario: Annotated[Decimal, Decimals(2, 8)]
    ScontoMaggiorazione: Annotated[list[ScontoMaggiorazione], Field(default_factory=list)]
    PrezzoTotale: Annotated[Decimal, Decimals(2, 8)]
    AliquotaIVA: Annotated[Decimal, Decimals(2, 2)]
    Ritenuta: Annotated[Ritenuta | None, Field(default=None)]
    Natura: Annotated[Natura | None, Field(default=None)]
    RiferimentoAmministrazione: str | None = None
    AltriDatiGestionali: Annotated[list[AltriDatiGestionali], Field(default_factory=list)]


class EsigibilitaIVA(CodeList):
    D = 'D', 'esigibilità differita'
    I = 'I', 'esigibilità immediata'
    S = 'S', 'scissione dei pagamenti'


class DatiRiepilogo(Element):
    AliquotaIVA: Annotated[Decimal, Decimals(2, 2)]
    Natura: Annotated[Natura | None, Field(default=None)]
    SpeseAccessorie: Annotated[Decimal | None, Decimals(2, 2)] = None
    Arrotondamento: Annotated[Decimal | None, Decimals(2, 8)] = None
    ImponibileImporto: Annotated[Decimal, Decimals(2, 2)]
    Imposta: Annotated[Decimal, Decimals(2, 2)]
    EsigibilitaIVA: Annotated[EsigibilitaIVA | None, Field(default=None)]
    RiferimentoNormativo: str | None = None


class DatiBeniServizi(Element):
    """Blocco relativo ai dati di Beni Servizi della Fattura Elettronica"""

    DettaglioLinee: Annotated[list[DettaglioLinee], Field(min_length=1)]
    DatiRiepilogo: Annotated[list[DatiRiepilogo], Field(min_length=1)]


class DatiVeicoli(Element):
    """Blocco relativo ai dati dei Veicoli della Fattura Elettronica (da indicare nei casi di cessioni tra Paesi membri di mezzi di trasporto nuovi, in base all'art. 38, comma 4 del dl 331 del 1993)"""

    Data: date
    TotalePercorso: str


class CondizioniPagamento(CodeList):
    TP01 = 'TP01', 'pagamento a rate'
    TP02 = 'TP02', 'pagamento completo'
    TP03 = 'TP03', 'anticipo'


class ModalitaPagamento(CodeList):
    MP01 = 'MP01', 'contanti'
    MP02 = 'MP02', 'assegno'
    MP03 = 'MP03', 'assegno circolare'
    MP04 = 'MP04', 'contanti presso Tesoreria'
    MP05 = 'MP05', 'bonifico'
    MP06 = 'MP06', 'vaglia cambiario'
    MP07 = 'MP07', 'bollettino bancario'
    MP08 = 'MP08', 'carta di pagamento'
    MP09 = 'MP09', 'RID'
    MP10 = 'MP10', 'RID utenze'
    MP11 = 'MP11', 'RID veloce'
    MP12 = 'MP12', 'RIBA'
    MP13 = 'MP13', 'MAV'
    MP14 = 'MP14', 'quietanza erario'
    MP15 = 'MP15', 'giroconto su conti di contabilità speciale'
    MP16 = 'MP16', 'domiciliazione bancaria'
    MP17 = 'MP17', 'domiciliazione postale'
    MP18 = 'MP18', 'bollettino di c/c postale'
    MP19 = 'MP19', 'SEPA Direct Debit'
    MP20 = 'MP20', 'SEPA Direct Debit CORE'
    MP21 = 'MP21', 'SEPA Direct Debit B2B'
    MP22 = 'MP22', 'Trattenuta su somme già riscosse'
    MP23 = 'MP23', 'PagoPA'


class DettaglioPagamento(Element):
    Beneficiario: str | None = None
    ModalitaPagamento: ModalitaPagamento
    DataRiferimentoTerminiPagamento: date | None = None
    GiorniTerminiPagamento: int | None = None
    DataScadenzaPagamento: date | None = None
    ImportoPagamento: Annotated[Decimal, Decimals(2, 2)]
    CodUfficioPostale: str | None = None
    CognomeQuietanzante: str | None = None
    NomeQuietanzante: str | None = None
    CFQuietanzante: str | None = None
    TitoloQuietanzante: str | None = None
    IstitutoFinanziario: str | None = None
    IBAN: str | None = None
    ABI: str | None = None
    CAB: str | None = None
    BIC: str | None = None
    ScontoPagamentoAnticipato: Annotated[Decimal | None, Decimals(2, 2)] = None
    DataLimitePagamentoAnticipato: date | None = None
    PenalitaPagamentiRitardati: Annotated[Decimal | None, Decimals(2, 2)] = None
    DataDecorrenzaPenale: date | None = None
    CodicePagamento: str | None = None


class DatiPagamento(Element):
    """Blocco relativo ai dati di Pagamento della Fattura Elettronica"""

    CondizioniPagamento: CondizioniPagamento
    DettaglioPagamento: Annotated[list[DettaglioPagamento], Field(min_length=1)]


class Allegati(Element):
    """Blocco relativo ai dati di eventuali allegati"""

    NomeAttachment: str
    AlgoritmoCompressione: str | None = None
    FormatoAttachment: str | None = None
    DescrizioneAttachment: str | None = None
    Attachment: bytes


class FatturaElettronicaBody(Element):
    DatiGenerali: DatiGenerali
    DatiBeniServizi: DatiBeniServizi
    DatiVeicoli: Annotated[DatiVeicoli | None, Field(default=None)]
    DatiPagamento: Annotated[list[DatiPagamento], Field(default_factory=list)]
    Allegati: Annotated[list[Allegati], Field(default_factory=list)]


class FatturaElettronica(RootElement):
    FatturaElettronicaHeader: FatturaElettronicaHeader
    FatturaElettronicaBody: Annotated[list[FatturaElettronicaBody], Field(min_length=1)]
    versione: Annotated[FormatoTrasmissione, XML_ATTRIBUTE]
    SistemaEmittente: Annotated[str | None, XML_ATTRIBUTE] = None
    Signature: Annotated[str | None, XML_SIGNATURE] = None
