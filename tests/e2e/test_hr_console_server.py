"""The HR console as `make run` starts it: the launcher's spec, waitress on HR_PORT, a real HTTP client."""
from __future__ import annotations

import re
import subprocess
import sys

import requests

from launcher.ports import free_port
from launcher.settings import LaunchSettings
from tests.helpers.servers import Servers

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def test_the_launched_console_logs_in_and_keeps_its_pages_behind_the_login(tmp_path, fresh_kb):
    kb_url = str(fresh_kb.engine.url)
    created = subprocess.run(
        [sys.executable, "-m", "hr_console", "users", "create", "rh.lea", "--password-stdin", "--url", kb_url],
        input="un mot de passe assez long\n", capture_output=True, text=True, timeout=120,
    )
    assert created.returncode == 0, created.stderr
    port = free_port()
    settings = LaunchSettings(
        hr_port=port, kb_database_url=kb_url, tracker_db_url=kb_url, work_dir=tmp_path,
        extra_env={"HR_SESSION_SECRET": "e2e-secret-" + "y" * 20, "EXPORTS_DIR": str(tmp_path / "exports")},
    )
    servers = Servers(settings, names=("hr",))
    try:
        servers.start("hr")
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/", allow_redirects=False, timeout=10).headers["Location"].endswith("/login")
        browser = requests.Session()
        token = CSRF.search(browser.get(f"{base}/login", timeout=10).text).group(1)
        no_token = {"name": "rh.lea", "password": "x" * 12}
        assert browser.post(f"{base}/login", data=no_token, timeout=10).status_code == 400
        response = browser.post(
            f"{base}/login", data={"name": "rh.lea", "password": "un mot de passe assez long", "csrf_token": token},
            timeout=10,
        )
        assert response.status_code == 200 and "Questions à revoir" in response.text
        assert "rh.lea" in browser.get(f"{base}/audit", timeout=10).text
        assert browser.post(f"{base}/logout", timeout=10).status_code == 400  # no CSRF token
    finally:
        servers.stop_all()
