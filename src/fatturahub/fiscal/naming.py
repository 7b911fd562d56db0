"""File names of the Comunicazioni finanziarie and of their outcomes.

Communication:  IT01234567890_LI_00A1B.xml    IT<fiscal code of the sender>_<type>_<5 alphanumerics>
                type LI = LIPE, DF = Dati Fattura, FL = zip archive of LI files
                (Modalità di trasmissione dati §2; FACTS.md §6)
Outcome:        IT01234567890_LI_00A1B_EL_001.xml
                <communication name without extension>_<ED|EL|EF|NA>_<3 alphanumerics>
                (Specifiche tecniche notifiche di esito §1.1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from fatturahub.fatturapa.naming import InvalidFileName, progressive


class FileType(StrEnum):
    LIPE = "LI"
    DATI_FATTURA = "DF"
    LIPE_ARCHIVE = "FL"


class OutcomeType(StrEnum):
    DATI_FATTURA = "ED"
    LIPE = "EL"
    ARCHIVE = "EF"
    UNIDENTIFIED = "NA"


OUTCOME_OF = {FileType.DATI_FATTURA: OutcomeType.DATI_FATTURA, FileType.LIPE: OutcomeType.LIPE,
              FileType.LIPE_ARCHIVE: OutcomeType.ARCHIVE}  # fmt: skip

_STEM = r"IT(?P<code>[A-Z0-9]{11,16})_(?P<type>LI|DF|FL)_(?P<progressive>[A-Za-z0-9]{5})"
_COMMUNICATION = re.compile(_STEM + r"(?P<extension>(?i:\.xml\.p7m|\.xml|\.zip\.p7m|\.zip))")
_OUTCOME = re.compile(r"(?P<stem>.+)_(?P<type>ED|EL|EF|NA)_(?P<sequence>[A-Za-z0-9]{1,3})\.xml")


@dataclass(frozen=True)
class CommunicationFileName:
    code: str
    type: FileType
    progressive: str
    extension: str = ".xml"

    @property
    def stem(self) -> str:
        return f"IT{self.code}_{self.type.value}_{self.progressive}"

    def __str__(self) -> str:
        return self.stem + self.extension

    def outcome(self, sequence: str) -> str:
        """The name of the outcome SDI returns for this file (its `sequence`-th)."""
        return f"{self.stem}_{OUTCOME_OF[self.type].value}_{sequence}.xml"

    @classmethod
    def parse(cls, name: str) -> CommunicationFileName:
        match = _COMMUNICATION.fullmatch(name)
        if not match:
            raise InvalidFileName(
                f"{name!r} is not a communication file name (e.g. IT01234567890_LI_00001.xml)"
            )
        return cls(match["code"], FileType(match["type"]), match["progressive"], match["extension"].lower())


@dataclass(frozen=True)
class OutcomeFileName:
    communication_stem: str
    type: OutcomeType
    sequence: str

    @classmethod
    def parse(cls, name: str) -> OutcomeFileName:
        match = _OUTCOME.fullmatch(name)
        if not match:
            raise InvalidFileName(
                f"{name!r} is not an outcome file name (e.g. IT01234567890_LI_00001_EL_001.xml)"
            )
        return cls(match["stem"], OutcomeType(match["type"]), match["sequence"])


def communication_file_name(fiscal_code: str, file_type: FileType, counter: int) -> CommunicationFileName:
    """The name of the `counter`-th file of `file_type` sent by `fiscal_code`; the caller reserves
    `counter` (the 5-character progressive is fatturapa.naming's bijection)."""
    name = CommunicationFileName(fiscal_code.upper(), file_type, progressive(counter))
    return CommunicationFileName.parse(str(name))  # validates the fiscal code part
