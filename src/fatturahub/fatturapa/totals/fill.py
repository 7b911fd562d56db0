"""Complete a body written without its totals: DatiRiepilogo and ImportoTotaleDocumento.

Only what is missing is filled: stated summaries and a stated total are kept as they are
(`check_totals` says whether SDI would accept them). The input is never modified.

The schema requires at least one DatiRiepilogo, so a body without them cannot be a model yet:
pass it as its JSON-like mapping. It is validated with a placeholder summary — so every other
mistake is reported at once, with pydantic's ValidationError — and the placeholder is replaced by
the computed summaries before anyone can see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fatturahub.fatturapa.model.ordinaria import (
    EsigibilitaIVA,
    FatturaElettronica,
    FatturaElettronicaBody,
)
from fatturahub.fatturapa.totals.engine import document_total, summarize

_PLACEHOLDER_SUMMARY = {"AliquotaIVA": "0.00", "ImponibileImporto": "0.00", "Imposta": "0.00"}


def fill_totals(
    body: FatturaElettronicaBody | Mapping[str, Any],
    *,
    esigibilita: EsigibilitaIVA = EsigibilitaIVA.I,
    riferimento_normativo: Mapping[str, str] | None = None,
) -> FatturaElettronicaBody:
    """A new body with DatiRiepilogo and ImportoTotaleDocumento filled in where missing.

    `esigibilita` goes on every computed summary; `riferimento_normativo` maps a Natura code
    to the RiferimentoNormativo of its summary."""
    if isinstance(body, FatturaElettronicaBody):
        draft, needs_summaries = body.model_copy(deep=True), False
    else:
        raw, needs_summaries = _draft(body)
        draft = FatturaElettronicaBody.model_validate(raw)
    return _filled(draft, needs_summaries, esigibilita, riferimento_normativo or {})


def fill_invoice_totals(
    document: FatturaElettronica | Mapping[str, Any],
    *,
    esigibilita: EsigibilitaIVA = EsigibilitaIVA.I,
    riferimento_normativo: Mapping[str, str] | None = None,
) -> FatturaElettronica:
    """`fill_totals` on every body of a document (a lotto is filled body by body)."""
    if isinstance(document, FatturaElettronica):
        draft = document.model_copy(deep=True)
        needs = [False] * len(draft.FatturaElettronicaBody)
    else:
        bodies_raw = document.get("FatturaElettronicaBody", [])
        drafts = [_draft(body) if isinstance(body, Mapping) else (body, False) for body in bodies_raw]
        raw = {**document, "FatturaElettronicaBody": [body for body, _ in drafts]}
        draft = FatturaElettronica.model_validate(raw)
        needs = [needs_summaries for _, needs_summaries in drafts]
    bodies = [
        _filled(body, needs_summaries, esigibilita, riferimento_normativo or {})
        for body, needs_summaries in zip(draft.FatturaElettronicaBody, needs, strict=True)
    ]
    return draft.model_copy(update={"FatturaElettronicaBody": bodies})


def _draft(raw: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """The body with a placeholder summary when it has none, and whether it needed one."""
    goods = raw.get("DatiBeniServizi")
    if not isinstance(goods, Mapping) or goods.get("DatiRiepilogo"):
        return dict(raw), False
    return {**raw, "DatiBeniServizi": {**goods, "DatiRiepilogo": [_PLACEHOLDER_SUMMARY]}}, True


def _filled(
    body: FatturaElettronicaBody,
    needs_summaries: bool,
    esigibilita: EsigibilitaIVA,
    riferimento_normativo: Mapping[str, str],
) -> FatturaElettronicaBody:
    """`body` (owned by the caller, not shared with any input) with its totals completed."""
    goods = body.DatiBeniServizi
    general = body.DatiGenerali.DatiGeneraliDocumento
    summaries = goods.DatiRiepilogo
    if needs_summaries:
        totals = summarize(
            goods.DettaglioLinee,
            general,
            given=(),
            esigibilita=esigibilita,
            riferimento_normativo=riferimento_normativo,
        )
        summaries = totals.summary_models()
        goods = goods.model_copy(update={"DatiRiepilogo": summaries})
    if general.ImportoTotaleDocumento is None:
        stated = ((s.ImponibileImporto, s.Imposta) for s in summaries)
        total = document_total(stated, general).total
        general = general.model_copy(update={"ImportoTotaleDocumento": total})
    data = body.DatiGenerali.model_copy(update={"DatiGeneraliDocumento": general})
    return body.model_copy(update={"DatiGenerali": data, "DatiBeniServizi": goods})
