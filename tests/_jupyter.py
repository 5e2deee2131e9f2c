"""A Jupyter server for browser tests: JupyterLab or Notebook 7 on 127.0.0.1, with a config folder of its
own (chosen extensions disabled, every cell rendered, no autosave), started and stopped by the tests."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ANNOUNCEMENTS = "@jupyterlab/apputils-extension:announcements"    # its "get news?" dialog covers the page


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """``jupyter lab`` or ``jupyter notebook`` on 127.0.0.1 with its own config, settings and workspaces.

    ``disabled`` extensions go into ``labconfig/page_config.json`` of a fresh JUPYTER_CONFIG_DIR. The
    notebook settings render every cell (no windowing, so the page holds all of them) and never autosave.
    """

    def __init__(self, app, root, home, disabled):
        self.app, self.root, self.home = app, Path(root), Path(home)
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = self.home / "config"
        (config / "labconfig").mkdir(parents=True)
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled}}), encoding="utf-8")
        settings = config / "lab" / "user-settings" / "@jupyterlab"        # read by both front ends
        for plugin, values in (("notebook-extension/tracker", {"windowingMode": "none"}),
                               ("docmanager-extension/plugin", {"autosave": False})):
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        module = "jupyterlab" if app == "lab" else "notebook"
        self.command = [
            sys.executable, "-m", module, "--no-browser", "--allow-root", f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}"]
        if app == "lab":
            self.command += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             "--LabApp.extension_manager=readonly"]
        self.env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),
                        JUPYTERLAB_SETTINGS_DIR=str(config / "lab" / "user-settings"),
                        JUPYTERLAB_WORKSPACES_DIR=str(config / "lab" / "workspaces"))
        self.log = self.home / "server.log"
        self.process = None

    def start(self):
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"{self.app} did not start:\n" + self.log.read_text(encoding="utf-8", errors="replace")[-3000:])

    def url(self, path):
        """The page of the notebook ``path``: in JupyterLab with a reset workspace, so it is the only one open."""
        if self.app == "lab":
            return f"{self.base}/lab/tree/{path}?reset&token={self.token}"
        return f"{self.base}/notebooks/{path}?token={self.token}"

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self):
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def page_config(self, path):
        """The page configuration the server hands to the page of ``path`` (disabled extensions and more)."""
        html = urllib.request.urlopen(self.url(path), timeout=30).read().decode("utf-8")
        match = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
        return json.loads(match.group(1)) if match else {}

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
