"""SDI channels: how a company's invoice files reach SDI.

    channel = channel_for(company.channel, company.channel_settings, sandbox_url=...)
    acceptance = await channel.submit(Submission(file_name, content))

Both kinds speak SdIRiceviFile: "sandbox" is the built-in SDI simulator over plain HTTP,
"sdicoop" is the real SDI over mutual TLS with the company's accredited client certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fatturahub.sdi.channels.base import (
    Acceptance,
    Channel,
    ChannelConfigurationError,
    ChannelError,
    Refused,
    Submission,
    TransportError,
)
from fatturahub.sdi.channels.sdicoop import DEFAULT_TIMEOUT, SdiCoopChannel

SANDBOX = "sandbox"
SDICOOP = "sdicoop"
SDICOOP_REQUIRED = ("endpoint_url", "client_cert", "client_key")
SDICOOP_OPTIONAL = ("ca_bundle", "timeout")


def channel_for(
    kind: str, settings: Mapping[str, Any], *, sandbox_url: str, certificates_dir: Path
) -> Channel:
    """The channel of a company: its kind ("sandbox" | "sdicoop") and its channel settings.

    Certificate paths in the settings are relative to `certificates_dir` (the operator puts each
    account's files there) and may not leave it: a tenant cannot point at another's key."""
    if kind == SANDBOX:
        return SdiCoopChannel(sandbox_url)
    if kind == SDICOOP:
        return _sdicoop(settings, certificates_dir)
    raise ChannelConfigurationError(f"unknown channel {kind!r}: expected {SANDBOX!r} or {SDICOOP!r}")


def _sdicoop(settings: Mapping[str, Any], certificates_dir: Path) -> SdiCoopChannel:
    missing = [name for name in SDICOOP_REQUIRED if not settings.get(name)]
    if missing:
        raise ChannelConfigurationError(f"sdicoop channel settings lack {', '.join(missing)}")
    unknown = sorted(set(settings) - {*SDICOOP_REQUIRED, *SDICOOP_OPTIONAL})
    if unknown:
        raise ChannelConfigurationError(f"unknown sdicoop channel settings: {', '.join(unknown)}")
    endpoint_url = _text(settings, "endpoint_url")
    if not endpoint_url.startswith("https://"):
        raise ChannelConfigurationError("sdicoop endpoint_url must be an https:// URL (SDI requires TLS)")
    ca_bundle = settings.get("ca_bundle")
    return SdiCoopChannel(
        endpoint_url,
        client_cert=_inside(certificates_dir, _text(settings, "client_cert")),
        client_key=_inside(certificates_dir, _text(settings, "client_key")),
        ca_bundle=_inside(certificates_dir, _text(settings, "ca_bundle")) if ca_bundle else None,
        timeout=_timeout(settings.get("timeout", DEFAULT_TIMEOUT)),
    )


def _text(settings: Mapping[str, Any], name: str) -> str:
    value = settings[name]
    if not isinstance(value, str):
        raise ChannelConfigurationError(
            f"sdicoop setting {name} must be a string, not {type(value).__name__}"
        )
    return value


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChannelConfigurationError(f"sdicoop setting timeout must be a number of seconds, not {value!r}")
    return float(value)


__all__ = [
    "Acceptance",
    "Channel",
    "ChannelConfigurationError",
    "ChannelError",
    "Refused",
    "SdiCoopChannel",
    "Submission",
    "TransportError",
    "channel_for",
]


def _inside(base: Path, relative: str) -> Path:
    root = base.resolve()
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root):
        raise ChannelConfigurationError(
            f"{relative!r} must be a path inside the account's certificates folder"
        )
    return path
