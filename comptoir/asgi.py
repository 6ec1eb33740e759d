"""The ASGI entry point uvicorn imports in each worker process (`comptoir.asgi:app`)."""

from comptoir.app import create_app
from comptoir.logs import configure as configure_logging
from comptoir.settings import Settings

# Each uvicorn worker is a fresh interpreter: the CLI's logging set-up does not reach it.
settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_format)

# The embedded default runs the background jobs inside the web process; in production a
# separate `comptoir worker` does (running both is safe: jobs claim their rows).
app = create_app(settings, run_jobs=settings.jobs_in_web)
