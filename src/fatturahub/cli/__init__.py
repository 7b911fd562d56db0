"""The `fatturahub` command: invoice files (`documents`), the service (`service`), the sandbox."""

from fatturahub.cli import documents, imports, service  # noqa: F401 (they register their commands)
from fatturahub.cli.app import main
from fatturahub.sdi.sandbox.cli import sandbox

main.add_command(sandbox)

__all__ = ["main"]
