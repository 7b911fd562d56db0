"""The state machine: however SDI's notifications are duplicated or shuffled, the end is the same."""

from __future__ import annotations

import itertools
import random

import pytest

from fatturahub.invoices.states import FINAL, InvoiceState, Outcome, after

# What SDI may send about one file, in the order it sends it.
FLOWS = {
    "B2B delivered": [Outcome.DELIVERED],
    "B2B not delivered": [Outcome.NOT_DELIVERED],
    "rejected": [Outcome.REJECTED],
    "PA accepted": [Outcome.DELIVERED, Outcome.ACCEPTED],
    "PA refused": [Outcome.DELIVERED, Outcome.REFUSED],
    "PA expired": [Outcome.DELIVERED, Outcome.EXPIRED],
    "PA delivered after a failed attempt": [Outcome.NOT_DELIVERED, Outcome.DELIVERED, Outcome.ACCEPTED],
    "PA undeliverable": [Outcome.NOT_DELIVERED, Outcome.UNDELIVERABLE],
}
EXPECTED = {
    "B2B delivered": InvoiceState.DELIVERED,
    "B2B not delivered": InvoiceState.NOT_DELIVERED,
    "rejected": InvoiceState.REJECTED,
    "PA accepted": InvoiceState.ACCEPTED,
    "PA refused": InvoiceState.REFUSED,
    "PA expired": InvoiceState.EXPIRED,
    "PA delivered after a failed attempt": InvoiceState.ACCEPTED,
    "PA undeliverable": InvoiceState.UNDELIVERABLE,
}


def _fold(start: InvoiceState, outcomes: list[Outcome]) -> InvoiceState:
    state = start
    for outcome in outcomes:
        state = after(state, outcome) or state
    return state


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize("start", [InvoiceState.QUEUED, InvoiceState.SENDING, InvoiceState.SENT])
def test_every_order_and_every_duplicate_ends_in_the_same_state(flow, start):
    outcomes = FLOWS[flow]
    assert _fold(start, outcomes) == EXPECTED[flow]
    for order in itertools.permutations(outcomes * 2):  # each notification delivered twice
        assert _fold(start, list(order)) == EXPECTED[flow], order


def test_final_states_never_move():
    for state, outcome in itertools.product(FINAL, Outcome):
        assert after(state, outcome) is None, (state, outcome)


def test_drafts_and_failed_uploads_ignore_notifications():
    for outcome in Outcome:
        assert after(InvoiceState.DRAFT, outcome) is None
        assert after(InvoiceState.FAILED, outcome) is None


def test_random_long_streams_are_monotonic():
    rank = {InvoiceState.SENT: 0, InvoiceState.NOT_DELIVERED: 1, InvoiceState.DELIVERED: 2}
    generator = random.Random(7)
    for _ in range(500):
        state = InvoiceState.SENT
        for outcome in generator.choices(list(Outcome), k=12):
            target = after(state, outcome)
            if target is not None:
                assert state not in FINAL
                assert rank.get(target, 9) >= rank.get(state, 0)
                state = target
