"""SDI channels: how a company's invoice files reach SDI.

    channel = channel_for(company.channel, company.channel_settings, sandbox_url=...)
    acceptance = await channel.submit(Submission(file_name, content))
    answer = await channel.send_outcome(OutcomeSubmission(ec_file_name, identificativo_sdi, ec))
    receipt = await channel.transmit_file(DataFileSubmission(lipe_file_name, "LI", xml))
    outcome = await channel.file_outcome(receipt.id_file)   # SF01 … then SF02 + EsitoFile

Both kinds speak SdIRiceviFile, SdIRiceviNotifica and SdITrasmissioneFile: "sandbox" is the
built-in SDI simulator over plain HTTP (its services side by side, see `sandbox_sibling_url`),
"sdicoop" is the real SDI over mutual TLS with the company's accredited client certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fatturahub.sdi.channels.base import (
    Acceptance,
    Channel,
    ChannelConfigurationError,
    ChannelError,
    DataFileOutcome,
    DataFileReceipt,
    DataFileSubmission,
    OutcomeAnswer,
    OutcomeSubmission,
    Refused,
    Submission,
    TransportError,
)
from fatturahub.sdi.channels.sdicoop import DEFAULT_TIMEOUT, SdiCoopChannel

SANDBOX = "sandbox"
SDICOOP = "sdicoop"
SDICOOP_REQUIRED = ("endpoint_url", "client_cert", "client_key")
SDICOOP_OPTIONAL = ("ca_bundle", "timeout", "outcome_endpoint_url", "data_endpoint_url")
SANDBOX_RICEVI_FILE = "SdIRiceviFile"
SANDBOX_RICEVI_NOTIFICA = "SdIRiceviNotifica"
SANDBOX_TRASMISSIONE_FILE = "SdITrasmissioneFile"


def channel_for(
    kind: str, settings: Mapping[str, Any], *, sandbox_url: str, certificates_dir: Path
) -> Channel:
    """The channel of a company: its kind ("sandbox" | "sdicoop") and its channel settings.

    Certificate paths in the settings are relative to `certificates_dir` (the operator puts each
    account's files there) and may not leave it: a tenant cannot point at another's key."""
    if kind == SANDBOX:
        return SdiCoopChannel(
            sandbox_url,
            outcome_endpoint_url=sandbox_sibling_url(sandbox_url, SANDBOX_RICEVI_NOTIFICA),
            data_endpoint_url=sandbox_sibling_url(sandbox_url, SANDBOX_TRASMISSIONE_FILE),
        )
    if kind == SDICOOP:
        return _sdicoop(settings, certificates_dir)
    raise ChannelConfigurationError(f"unknown channel {kind!r}: expected {SANDBOX!r} or {SDICOOP!r}")


def sandbox_sibling_url(ricevi_file_url: str, service: str) -> str:
    """Another service of the sandbox, from the URL of its SdIRiceviFile: the sandbox serves
    /SdIRiceviFile, /SdIRiceviNotifica and /SdITrasmissioneFile side by side, so the URL with its
    last path segment replaced by `service` (query and fragment dropped; a trailing slash ignored).

        sandbox_sibling_url("http://h/sandbox/SdIRiceviFile", "SdITrasmissioneFile")
        == "http://h/sandbox/SdITrasmissioneFile"
    """
    parts = urlsplit(ricevi_file_url)
    parent = parts.path.rstrip("/").rpartition("/")[0]
    return urlunsplit(parts._replace(path=f"{parent}/{service}", query="", fragment=""))


def sandbox_outcome_url(ricevi_file_url: str) -> str:
    """The sandbox's SdIRiceviNotifica (`sandbox_sibling_url` of SdIRiceviFile)."""
    return sandbox_sibling_url(ricevi_file_url, SANDBOX_RICEVI_NOTIFICA)


def sandbox_data_url(ricevi_file_url: str) -> str:
    """The sandbox's SdITrasmissioneFile (`sandbox_sibling_url` of SdIRiceviFile)."""
    return sandbox_sibling_url(ricevi_file_url, SANDBOX_TRASMISSIONE_FILE)


def _sdicoop(settings: Mapping[str, Any], certificates_dir: Path) -> SdiCoopChannel:
    missing = [name for name in SDICOOP_REQUIRED if not settings.get(name)]
    if missing:
        raise ChannelConfigurationError(f"sdicoop channel settings lack {', '.join(missing)}")
    unknown = sorted(set(settings) - {*SDICOOP_REQUIRED, *SDICOOP_OPTIONAL})
    if unknown:
        raise ChannelConfigurationError(f"unknown sdicoop channel settings: {', '.join(unknown)}")
    endpoint_url = _https(settings, "endpoint_url")
    outcome_url = _https(settings, "outcome_endpoint_url") if settings.get("outcome_endpoint_url") else None
    data_url = _https(settings, "data_endpoint_url") if settings.get("data_endpoint_url") else None
    ca_bundle = settings.get("ca_bundle")
    return SdiCoopChannel(
        endpoint_url,
        outcome_endpoint_url=outcome_url,
        data_endpoint_url=data_url,
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


def _https(settings: Mapping[str, Any], name: str) -> str:
    url = _text(settings, name)
    if not url.startswith("https://"):
        raise ChannelConfigurationError(f"sdicoop {name} must be an https:// URL (SDI requires TLS)")
    return url


def _timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChannelConfigurationError(f"sdicoop setting timeout must be a number of seconds, not {value!r}")
    return float(value)


__all__ = [
    "Acceptance",
    "Channel",
    "ChannelConfigurationError",
    "ChannelError",
    "DataFileOutcome",
    "DataFileReceipt",
    "DataFileSubmission",
    "OutcomeAnswer",
    "OutcomeSubmission",
    "Refused",
    "SdiCoopChannel",
    "Submission",
    "TransportError",
    "channel_for",
    "sandbox_data_url",
    "sandbox_outcome_url",
    "sandbox_sibling_url",
]


def _inside(base: Path, relative: str) -> Path:
    root = base.resolve()
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root):
        raise ChannelConfigurationError(
            f"{relative!r} must be a path inside the account's certificates folder"
        )
    return path
