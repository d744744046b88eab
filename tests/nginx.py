"""deploy/nginx.conf run by a real nginx on loopback, with its own ports and files.

The tests and the benchmark run the deployment's file itself: `render_config` swaps in their
listen address, upstream servers, cache directory and logs, and refuses a file in which any
of those is not where it expects, so a test can never pass on some other configuration.

Load from one address faster than any reader sends it (wrk, the abuse clients) would meet the
file's per-client request limits and measure its 429s instead of the proxy. Rendered with
`enforce_limits=False`, nginx counts every request against the limits as shipped but refuses
none (limit_req_dry_run): the one difference from the file, made here alone, and said where
a figure is reported. Everything else runs the limits as shipped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEPLOY_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str | None:
    """Debian installs nginx in /usr/sbin, which a user's PATH may lack."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


@dataclass(frozen=True)
class ProxyFiles:
    """Where one nginx keeps its rendered config, cache, temporary files and logs."""

    root: Path

    @property
    def conf(self) -> Path:
        return self.root / "nginx.conf"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    @property
    def access_log(self) -> Path:
        return self.root / "access.log"

    @property
    def error_log(self) -> Path:
        return self.root / "error.log"


def render_config(
    files: ProxyFiles,
    listen: str,
    origins: list[str],
    extra: str = "",
    *,
    enforce_limits: bool = True,
) -> str:
    """deploy/nginx.conf with this run's addresses and paths; `extra` goes inside `http`;
    without enforce_limits, its request limits counted but never refusing."""
    text = DEPLOY_CONF.read_text(encoding="utf-8")
    if not enforce_limits:
        dry_run = r"\g<0>\n\g<1>limit_req_dry_run on;"
        text = replace_once(text, r"^(\s*)limit_req_status\s+429;", dry_run)
    text = replace_once(text, r"^(\s*)listen\s+[^;]+;", rf"\g<1>listen {listen};")
    upstream = r"^(\s*)server\s+\S+(\s[^;]*)?;(?=\s*keepalive)"
    servers = "\n".join(rf"\g<1>server {origin}\g<2>;" for origin in origins)
    text = replace_once(text, upstream, servers)
    text = replace_once(text, r"proxy_cache_path\s+\S+", f"proxy_cache_path {files.cache}")
    text = replace_once(text, r"^(\s*)access_log\s+\S+", rf"\g<1>access_log {files.access_log}")
    text = replace_once(text, r"^error_log\s+\S+", f"error_log {files.error_log}")
    temp = "".join(f"\n    {name}_temp_path {files.root / name};" for name in TEMP_PATHS)
    text = replace_once(text, r"^http \{", "http {" + temp)
    closing = text.rindex("}")
    return text[:closing] + extra + text[closing:]


def replace_once(text: str, pattern: str, replacement: str) -> str:
    rendered, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != 1:
        raise ValueError(f"{DEPLOY_CONF}: expected one match of {pattern!r}, found {count}")
    return rendered


def nginx_command(files: ProxyFiles) -> list[str]:
    """nginx in the foreground, its files under files.root; as root, workers stay root so
    that they can write there."""
    main = [f"daemon off; pid {files.root / 'nginx.pid'};"]
    if os.geteuid() == 0:
        main.append("user root;")
    binary = nginx_binary() or "nginx"
    conf, log = str(files.conf), str(files.error_log)
    return [binary, "-p", str(files.root), "-c", conf, "-e", log, "-g", " ".join(main)]


def launch(
    files: ProxyFiles,
    listen: str,
    origins: list[str],
    extra: str = "",
    *,
    enforce_limits: bool = True,
) -> subprocess.Popen[bytes]:
    """Start nginx on the rendered config, in a session of its own so that `stop` can end
    exactly its processes."""
    files.root.mkdir(parents=True, exist_ok=True)
    rendered = render_config(files, listen, origins, extra, enforce_limits=enforce_limits)
    files.conf.write_text(rendered, encoding="utf-8")
    with files.error_log.open("ab") as output:
        return subprocess.Popen(
            nginx_command(files), stdout=output, stderr=output, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM makes the master stop its workers; if it will not, kill its whole session."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
