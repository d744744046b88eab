"""The checks of the running image, made from outside the container, as a client would."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docker_tools import IMAGE, ROOT, Failure, docker, inspect, run, say

sys.path.insert(0, str(ROOT))  # tests/abuse.py: the hostile clients, standard library only
from tests.abuse import Abuse, HostileClients, NormalClient, failures, median_first_byte_ms  # noqa: E402

STOCK_CA_DIR = Path("/usr/share/ca-certificates")
SHELLS = {"sh", "dash", "bash"}


# Containers and HTTP ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def container(name: str, *options: str) -> Iterator[str]:
    """A container of the image serving on a loopback port of the host; removed after."""
    docker("run", "--detach", "--name", name, "--network=host", *options, IMAGE)
    try:
        yield name
    except BaseException:
        logs = run("docker", "logs", "--tail", "80", name, check=False)
        print(f"--- the last lines of `docker logs {name}`:\n{logs.stdout}{logs.stderr}---")
        raise
    finally:
        docker("rm", "--force", name, check=False)


def get(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def wait_for_readiness(name: str, base: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not inspect(name)["State"]["Running"]:
            raise Failure(f"the container {name} stopped before it served")
        try:
            status, _, body = get(f"{base}/readyz")
        except OSError:
            status = 0
        if status == 200:
            return json.loads(body)
        time.sleep(0.3)
    raise Failure(f"{base}/readyz did not answer 200 within {seconds:.0f} s")


# The checks -------------------------------------------------------------------------------


def check_ready(ready: dict[str, Any]) -> None:
    if ready.get("status") != "ready" or not ready.get("content_version"):
        raise Failure(f"/readyz: {ready}")
    say(f"ok: /readyz 200, content version {ready['content_version']}, {ready['issues']} issue(s)")


def check_feed(base: str) -> None:
    status, content_type, body = get(f"{base}/feeds/issues.atom")
    if status != 200 or not content_type.startswith("application/atom+xml"):
        raise Failure(f"/feeds/issues.atom: {status} {content_type}")
    entries = ET.fromstring(body).findall("{http://www.w3.org/2005/Atom}entry")
    if not entries:
        raise Failure("/feeds/issues.atom has no entry")
    say(f"ok: /feeds/issues.atom 200, an Atom feed of {len(entries)} entr(y/ies)")


def check_api(base: str, ready: dict[str, Any]) -> None:
    status, content_type, body = get(f"{base}/api/v1/issues")
    if status != 200 or not content_type.startswith("application/json"):
        raise Failure(f"/api/v1/issues: {status} {content_type}")
    issues = json.loads(body)
    if not issues["items"] or issues["meta"]["total"] != ready["issues"]:
        raise Failure(f"/api/v1/issues lists {issues['meta']}, /readyz says {ready['issues']}")
    # Full-text search runs on the image's own SQLite (Debian's), not the developer's.
    word = re.findall(r"\w{4,}", issues["items"][0]["title"])[0]
    status, _, body = get(f"{base}/api/v1/search?q={word}")
    if status != 200 or not json.loads(body)["items"]:
        raise Failure(f"/api/v1/search?q={word}: {status} {body[:300]!r}")
    say(f"ok: /api/v1/issues 200, {issues['meta']['total']} issue(s); a search finds {word!r}")


def check_slow_clients(base: str) -> None:
    """A reader is answered while 100 idle, 80 slowloris and 20 slow-reading connections are
    held open against the container (SECURITY.md's figure for `briefing serve` as shipped)."""
    host, port = base.removeprefix("http://").split(":")
    reader = NormalClient(host, int(port), timeout=5)
    paths = ["/feeds/issues.atom", "/api/v1/issues", "/", "/healthz"]
    with HostileClients(host, int(port), Abuse(100, 80, 20)) as hostile:
        time.sleep(3)
        visits = reader.round(paths, 5, pause=0.1)
        held = hostile.held()
    if failures(visits) or held < 180:
        raise Failure(f"under slow clients ({held} held): {failures(visits)[:3]}")
    median = median_first_byte_ms(visits)
    say(f"ok: {len(visits)} requests answered beside {held} slow connections, {median:.1f} ms")


def check_healthy(name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = inspect(name)["State"]["Health"]
        if health["Status"] == "healthy":
            say("ok: the HEALTHCHECK on /readyz says healthy")
            return
        if health["Status"] == "unhealthy":
            raise Failure(f"unhealthy: {health['Log'][-1:]}")
        time.sleep(0.5)
    raise Failure(f"not healthy within {seconds:.0f} s: {inspect(name)['State']['Health']}")


def check_processes(name: str) -> None:
    """No process of the container is root's; PID 1 is gunicorn's master itself, no shell."""
    state = inspect(name)
    table = docker("top", name, "-o", "pid,uid,args").splitlines()[1:]
    rows = [line.split(None, 2) for line in table]
    root = [row for row in rows if row[1] == "0"]
    if root or state["Config"]["User"] in ("", "0", "root") or not rows:
        raise Failure(f"processes run as root: user {state['Config']['User']!r}, {root or rows}")
    first = next((row for row in rows if row[0] == str(state["State"]["Pid"])), None)
    program = Path(first[2].split()[0]).name if first else ""
    if first is None or program in SHELLS or "briefing serve" not in first[2] or len(rows) < 2:
        raise Failure(f"PID 1 is not `briefing serve` with its workers: {rows}")
    say(f"ok: {len(rows)} processes, all uid {rows[0][1]}; PID 1 is `{first[2]}`")


def check_graceful_stop(name: str, patience: int = 60) -> None:
    """SIGTERM reaches gunicorn, which shuts down with status 0 within its graceful timeout.

    Had it not (a shell as PID 1 ignores SIGTERM), Docker would SIGKILL it: status 137.
    """
    started = time.monotonic()
    docker("stop", "--time", str(patience), name)
    took = time.monotonic() - started
    code = inspect(name)["State"]["ExitCode"]
    if code != 0:
        raise Failure(f"`docker stop` took {took:.1f} s and the exit status is {code}")
    say(f"ok: `docker stop` (SIGTERM) ended gunicorn in {took:.1f} s with status 0")


def build_demo_store(folder: str, issues: int) -> None:
    """`briefing build` of a synthetic content tree into folder/store, run by the image."""
    once = ["run", "--rm", "--network=none", "--volume", f"{folder}:/data", IMAGE]
    content = f"/data/content-{issues}"
    docker(*once, "demo-content", "--issues", str(issues), "--out", content)
    docker(*once, "build", content, "--store", "/data/store/briefing.sqlite3")


def wait_for_issues(base: str, issues: int, seconds: float, in_a_row: int = 20) -> float:
    """Seconds until /readyz shows that many issues in_a_row times, whichever worker answers."""
    started = time.monotonic()
    seen = 0
    while time.monotonic() - started < seconds:
        same = json.loads(get(f"{base}/readyz")[2]).get("issues") == issues
        seen = seen + 1 if same else 0
        if seen == in_a_row:
            return time.monotonic() - started
        time.sleep(0.02)
    raise Failure(f"{base} did not serve the rebuilt store within {seconds:.0f} s")


def check_mounted_store(image_ready: dict[str, Any]) -> None:
    """A store folder mounted read-only over /var/lib/briefing is served, and rebuilds in it."""
    with tempfile.TemporaryDirectory(prefix="briefing-volume-") as tmp:
        os.chmod(tmp, 0o777)  # the image's user writes the content and the store here
        build_demo_store(tmp, issues=3)
        port = free_port()
        options = ["--env", f"BRIEFING_BIND=127.0.0.1:{port}", "--env", "BRIEFING_WORKERS=2"]
        options += ["--volume", f"{tmp}/store:/var/lib/briefing:ro"]
        with container(f"briefing-docker-test-volume-{os.getpid()}", *options) as name:
            base = f"http://127.0.0.1:{port}"
            ready = wait_for_readiness(name, base)
            if ready["issues"] != 3 or ready["content_version"] == image_ready["content_version"]:
                raise Failure(f"the mounted store is not the one served: {ready}")
            build_demo_store(tmp, issues=4)
            took = wait_for_issues(base, 4, seconds=10)
        say("ok: a store folder mounted read-only over /var/lib/briefing is served;")
        say(f"    a build into it is served {took:.1f} s after the build's container exits")


def certificates(pem: bytes) -> set[bytes]:
    """The DER bytes of every certificate in PEM text."""
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", pem, re.S)
    return {base64.b64decode(b"".join(block.split())) for block in blocks}


def local_certificates(bundle: Path) -> set[bytes]:
    """The bundle's certificates that are not Debian's stock ones: the proxy's own CA."""
    stock: set[bytes] = set()
    for path in STOCK_CA_DIR.rglob("*.crt"):
        stock |= certificates(path.read_bytes())
    return certificates(bundle.read_bytes()) - stock


def files_of(image: str) -> Iterator[tuple[str, bytes]]:
    """Every regular file of the image's filesystem: its path and its bytes."""
    name = docker("create", image).strip()
    try:
        with subprocess.Popen(["docker", "export", name], stdout=subprocess.PIPE) as export:
            with tarfile.open(fileobj=export.stdout, mode="r|") as tar:
                for member in tar:
                    if member.isfile():
                        yield member.name, tar.extractfile(member).read()
    finally:
        docker("rm", name, check=False)


def check_no_ca_bundle(bundle: Path | None) -> None:
    """The final image holds neither the bundle handed to the build nor its local CAs."""
    if bundle is None:
        say("ok: no CA bundle was handed to the build, so none can be in the image")
        return
    whole = hashlib.sha256(bundle.read_bytes()).digest()
    local = local_certificates(bundle)
    wanted = [(der, base64.b64encode(der)) for der in local]
    for path, data in files_of(IMAGE):
        flat = data.replace(b"\n", b"").replace(b"\r", b"")
        if "build-ca" in path or hashlib.sha256(data).digest() == whole:
            raise Failure(f"the final image holds the CA bundle as /{path}")
        if any(der in data or b64 in flat for der, b64 in wanted):
            raise Failure(f"the final image holds a certificate of {bundle} in /{path}")
    say(f"ok: the final image holds neither {bundle} nor its {len(local)} local certificate(s)")


def check_image(ca_bundle: Path | None) -> None:
    """Every check of the image just built; the first to fail raises Failure."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    options = ["--env", f"BRIEFING_BIND=127.0.0.1:{port}", "--health-interval=2s"]
    with container(f"briefing-docker-test-{os.getpid()}", *options) as name:
        ready = wait_for_readiness(name, base)
        check_ready(ready)
        check_feed(base)
        check_api(base, ready)
        check_slow_clients(base)
        check_healthy(name)
        check_processes(name)
        check_graceful_stop(name)
    check_mounted_store(ready)
    check_no_ca_bundle(ca_bundle)
