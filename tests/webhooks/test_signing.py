"""Signatures interoperate with Standard Webhooks: the specification's test vector, and our own
receiver's independent check."""

from __future__ import annotations

import base64
import time

from tests.webhooks.receiver import verify

from fatturahub.webhooks import signing

# the example in the Standard Webhooks specification
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_specification_test_vector():
    assert signing.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    headers = signing.headers([VECTOR_SECRET], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    assert headers == {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    assert verify(VECTOR_SECRET, headers, VECTOR_BODY, now=VECTOR_TIMESTAMP + 10)
    assert not verify(VECTOR_SECRET, headers, VECTOR_BODY, now=VECTOR_TIMESTAMP + 3600)  # replayed late
    assert not verify(VECTOR_SECRET, headers, VECTOR_BODY + b" ", now=VECTOR_TIMESTAMP)


def test_new_secrets_and_rotation_signatures():
    old, new = signing.new_secret(), signing.new_secret()
    assert old != new and old.startswith("whsec_") and len(base64.b64decode(old[6:])) == 32
    now = int(time.time())
    headers = signing.headers([new, old], "evt_1", now, b"{}")
    assert headers["webhook-signature"].count("v1,") == 2
    assert verify(new, headers, b"{}", now) and verify(old, headers, b"{}", now)
    assert not verify(signing.new_secret(), headers, b"{}", now)
