"""The ASGI entry point uvicorn imports in each worker process (`comptoir.asgi:app`)."""

from comptoir.app import create_app
from comptoir.settings import get_settings

# The embedded default runs the background jobs inside the web process; in production a
# separate `comptoir worker` does (running both is safe: jobs claim their rows).
app = create_app(run_jobs=get_settings().jobs_in_web)
