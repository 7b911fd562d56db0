"""The ASGI application for uvicorn (`fatturahub.api.main:app`), configured from the environment."""

from fatturahub.api.app import create_app

app = create_app()
