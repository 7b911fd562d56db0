"""PURE domain core of the Comunicazioni finanziarie (FACTS.md §6): the LIPE periodic VAT
settlement (computed and explained, IVP18 XML), Dati Fattura files (DTE / DTR / ANN) and the
EsitoFile outcomes SDI returns for both. Imports nothing from HTTP, SQL or the app.

    fiscal.lipe         VP2…VP14 from documents or aggregated rows, the IVP18 Fornitura
    fiscal.datifatture  DatiFattura v2.1 files, split at the schema's limits
    fiscal.esiti        EsitoFile (ES01 / ES02 / ES03)
    fiscal.naming       IT<CF>_LI_xxxxx.xml, IT<CF>_DF_xxxxx.xml and their outcome file names
"""
