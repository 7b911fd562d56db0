"""A built-in SDI sandbox: SdIRiceviFile by SOAP, SDI's checks, signed notifications delivered by
SOAP with retries, a simulated recipient and a virtual clock. See docs/sandbox.md.

    app = create_sandbox_app(SandboxConfig(notifications_url="http://.../TrasmissioneFatture"))
    mount_sandbox(main_app, "/sandbox", config)   # in-process, tied to main_app's lifespan
"""

from fatturahub.sdi.sandbox.app import create_sandbox_app, mount_sandbox
from fatturahub.sdi.sandbox.config import SandboxConfig

__all__ = ["SandboxConfig", "create_sandbox_app", "mount_sandbox"]
