"""A quarterly filer's year 2026, built by hand: the documents every LIPE test reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from fatturahub.fiscal.codes import Esigibilita
from fatturahub.fiscal.lipe import IssuedDocument, ReceivedDocument, SummaryLine

DEFERRED, SPLIT = Esigibilita.DEFERRED, Esigibilita.SPLIT_PAYMENT


def issued(number, day, counterparty, *lines, document_type="TD01", collected_on=None):
    return IssuedDocument(number, day, document_type, counterparty, tuple(lines), collected_on)


def received(number, day, counterparty, recorded_on, *lines, document_type="TD01", deductible="100"):
    return ReceivedDocument(
        number, day, document_type, counterparty, recorded_on, tuple(lines), D(deductible)
    )


def line(taxable, vat, rate="22.00", natura=None, esigibilita=Esigibilita.IMMEDIATE):
    return SummaryLine(D(taxable), D(vat), D(rate), natura, esigibilita)


SALES = [
    issued("1", date(2026, 1, 15), "ALFA SRL", line("10000.00", "2200.00"), line("500.00", "50.00", "10.00")),
    issued("2", date(2026, 2, 10), "COMUNE DI MILANO", line("4000.00", "880.00", esigibilita=SPLIT)),
    issued("3", date(2026, 2, 20), "BETA SPA", line("3000.00", "660.00", esigibilita=DEFERRED),
           collected_on=date(2026, 4, 15)),
    issued("4", date(2026, 3, 5), "ALFA SRL", line("1000.00", "220.00"), document_type="TD04"),
    issued("5", date(2026, 3, 12), "GAMMA GMBH", line("2000.00", "0.00", "0.00", "N3.2")),
    issued("6", date(2026, 3, 20), "DELTA SRL", line("1500.00", "0.00", "0.00", "N6.3")),
    issued("7", date(2026, 3, 25), "OMEGA LTD", line("800.00", "0.00", "0.00", "N2.1")),
    issued("8", date(2026, 4, 10), "ALFA SRL", line("2000.00", "440.00")),
    issued("9", date(2026, 7, 15), "BETA SPA", line("10000.00", "2200.00")),
    issued("10", date(2026, 11, 10), "ALFA SRL", line("8000.00", "1760.00")),
]  # fmt: skip

PURCHASES = [
    received("A/10", date(2026, 1, 20), "ENERGIA SPA", date(2026, 1, 25), line("2000.00", "440.00")),
    received("55", date(2026, 2, 3), "AUTO SRL", date(2026, 2, 5), line("5000.00", "1100.00"),
             deductible="40"),
    received("77", date(2026, 3, 28), "CARTA SRL", date(2026, 4, 2), line("1000.00", "220.00")),
    received("9", date(2026, 2, 15), "EDILE SRL", date(2026, 2, 18), line("1200.00", "0.00", "0.00", "N6.3")),
    received("RC1", date(2026, 2, 18), "EDILE SRL", date(2026, 2, 18), line("1200.00", "264.00"),
             document_type="TD16"),
    received("RC2", date(2026, 3, 10), "SOFTWARE INC", date(2026, 3, 10), line("3000.00", "660.00"),
             document_type="TD17"),
    received("12", date(2026, 3, 15), "ENERGIA SPA", date(2026, 3, 16), line("100.00", "22.00"),
             document_type="TD04"),
    received("300", date(2026, 5, 5), "MACCHINE SPA", date(2026, 5, 6), line("20000.00", "4400.00")),
    received("400", date(2026, 8, 1), "SERVIZI SRL", date(2026, 8, 1), line("1000.00", "220.00")),
]  # fmt: skip

DOCUMENTS = SALES + PURCHASES
