from __future__ import annotations

import pytest
from tests.support.samples import OFFICIAL


@pytest.fixture
def fpr01() -> bytes:
    return (OFFICIAL / "v1.2" / "IT01234567890_FPR01.xml").read_bytes()


@pytest.fixture
def lotto() -> bytes:
    """FPA03: one file, two bodies."""
    return (OFFICIAL / "v1.2" / "IT01234567890_FPA03.xml").read_bytes()
