"""The ASGI entry point uvicorn imports in each worker process (`comptoir.asgi:app`)."""

from comptoir.app import create_app
from comptoir.logs import configure as configure_logging
from comptoir.settings import get_settings

# Each uvicorn worker is a fresh interpreter: the CLI's logging set-up does not reach it.
configure_logging(get_settings().log_level, get_settings().log_format)

# The embedded default runs the background jobs inside the web process; in production a
# separate `comptoir worker` does (running both is safe: jobs claim their rows).
app = create_app(run_jobs=get_settings().jobs_in_web)
