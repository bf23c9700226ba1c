"""The Rasa server's endpoints file, rendered in this one place from the launcher's settings.

- action_endpoint: the action server; only validate_profile_form needs the domain (domain.yml
  send_domain), so the domain is not serialised on every other action call. With an action token, the
  shared-secret header, as ${ACTION_TOKEN} (Rasa substitutes it from its environment).
- tracker_store: Rasa's SQL tracker store with masking and erasure (rasa_server/stores/tracker_store.py).
  No `url:` here: the store reads TRACKER_DB_URL (default: SQLite file var/tracker.sqlite), so that no
  password is ever written to the file.
- lock_store, only with a lock store URL: conversation locks shared by every Rasa process
  (SANIC_WORKERS=2, or several replicas); with Rasa's default in-memory lock store Rasa refuses to start
  more than one worker. Rasa's Redis lock store takes a host name in `url` (not a redis:// URL), and
  `port`, `db` apart.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from launcher.settings import LaunchSettings

TRACKER_STORE = "rasa_server.stores.tracker_store.PrivacySQLTrackerStore"
LOCK_STORE = "rasa_server.stores.lock_store.AtomicRedisLockStore"
HEADER = "# Rendered by launcher/endpoints.py at start-up: edit that file or the settings, not this one.\n"
# Checked by the action server (actions/server.py TOKEN_HEADER); the value is read by Rasa from its
# environment when it loads this file, so the secret is never written here.
ACTION_TOKEN_HEADER = {"X-Action-Token": "${ACTION_TOKEN}"}


def lock_store(url: str, key_prefix: str) -> dict:
    """redis://host:port/db -> Rasa's lock store entry."""
    parts = urlsplit(url if "//" in url else f"redis://{url}")
    return {
        "type": LOCK_STORE,
        "url": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 0),
        "key_prefix": key_prefix,
    }


def endpoints(settings: LaunchSettings) -> dict:
    action: dict = {"url": settings.action_endpoint, "enable_selective_domain": True}
    if settings.action_token:
        action["headers"] = dict(ACTION_TOKEN_HEADER)
    data = {"action_endpoint": action, "tracker_store": {"type": TRACKER_STORE}}
    if settings.lock_store_url:
        data["lock_store"] = lock_store(settings.lock_store_url, settings.lock_store_prefix)
    return data


def render(settings: LaunchSettings) -> str:
    import yaml  # only the Rasa server needs it (the chat page's container has no PyYAML)

    return HEADER + yaml.safe_dump(endpoints(settings), sort_keys=False)


def write(settings: LaunchSettings) -> Path:
    path = settings.work_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(settings), "utf-8")
    return path
