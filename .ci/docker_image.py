"""make docker-test: build the image, run it, and check it from outside the container.

On a machine like CI's, where no Docker daemon runs and Docker Hub cannot be reached, this
starts dockerd (installing Debian's docker.io if needed) and stops exactly that process at the
end, and makes the Dockerfile's base image from Debian's packages when it is missing
(.ci/docker_base_image.sh), kept with `docker save` for the next run. It leaves the image
`briefing:latest` and removes every container it started. Needs root, or a daemon that answers
and the base image already there. Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docker_checks import check_image
from docker_tools import IMAGE, ROOT, Failure, docker, run, say

BASE_RECIPE = ROOT / ".ci" / "docker_base_image.sh"
RECIPE_LABEL = "org.briefing.base-recipe"
STAGED_CA = ROOT / "docker" / "build-ca" / "ca-bundle.crt"
LOG_DIR = ROOT / "var" / "docker-test"
# One run at a time on a machine: a run stops the daemon it started, under any other run.
LOCK = Path(tempfile.gettempdir()) / "briefing-docker-test.lock"
CACHE_DIR = Path(
    os.environ.get("BRIEFING_DOCKER_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "briefing"
)


# The daemon -------------------------------------------------------------------------------


def daemon_answers() -> bool:
    return run("docker", "info", check=False).returncode == 0


def find_program(name: str) -> str | None:
    return shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def apt_install(*packages: str) -> None:
    say(f"installing Debian's {', '.join(packages)}")
    run("apt-get", "update", "-qq")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages, env=env)


class Dockerd:
    """A dockerd this run started, and so stops."""

    def __init__(self, driver: str) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log = LOG_DIR / f"dockerd-{driver}.log"
        command = [find_program("dockerd") or "dockerd", f"--storage-driver={driver}"]
        # Builds and containers use the host's network: no bridge, no firewall rules to add.
        command += ["--bridge=none", "--iptables=false"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_answering(self, seconds: float = 60) -> str | None:
        """None once the daemon answers, or why it never will."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited {self.process.returncode}: {self.why()}"
            if daemon_answers():
                return None
            time.sleep(0.5)
        self.stop()
        return f"did not answer within {seconds:.0f} s: {self.why()}"

    def why(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if re.search(r"level=(error|fatal)|^failed", line)]
        return " | ".join((errors or lines)[-2:]) or "(no output)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        say(f"stopped the dockerd this run started (pid {self.process.pid})")


def start_daemon() -> Dockerd | None:
    """The daemon this run started, or None when one already answered."""
    if daemon_answers():
        say("a Docker daemon answers: using it")
        return None
    if os.environ.get("DOCKER_HOST"):
        raise Failure(f"DOCKER_HOST={os.environ['DOCKER_HOST']} does not answer")
    if os.geteuid() != 0:
        raise Failure("no Docker daemon answers, and starting one needs root")
    if not find_program("dockerd"):
        apt_install("docker.io")
    reasons = []
    for driver in ("overlay2", "vfs"):
        dockerd = Dockerd(driver)
        reason = dockerd.wait_until_answering()
        if reason is None:
            say(f"started dockerd (pid {dockerd.process.pid}, storage driver {driver})")
            return dockerd
        reasons.append(f"with {driver}, dockerd {reason} ({dockerd.log})")
    raise Failure("no Docker daemon answers, and none starts here:\n  " + "\n  ".join(reasons))


# The base image ---------------------------------------------------------------------------


def base_image_name() -> str:
    found = re.search(r"^ARG BASE_IMAGE=(\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    if not found:
        raise Failure("the Dockerfile names no default BASE_IMAGE")
    return found.group(1)


def recipe_of(name: str) -> str | None:
    """The recipe label of a local image, or None when there is no such image."""
    result = run("docker", "image", "inspect", name, check=False)
    if result.returncode != 0:
        return None
    labels = json.loads(result.stdout)[0]["Config"].get("Labels") or {}
    return str(labels.get(RECIPE_LABEL, ""))


def recipe_digest() -> str:
    """What the base image is made by: the recipe's commands, its comments aside."""
    lines = BASE_RECIPE.read_text().splitlines()
    commands = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return hashlib.sha256(commands.encode()).hexdigest()[:12]


def ensure_base_image() -> None:
    """The Dockerfile's base image, made from Debian's packages by the current recipe."""
    name = base_image_name()
    recipe = recipe_digest()
    if recipe_of(name) == recipe:
        say(f"base image {name} is here")
        return
    saved = CACHE_DIR / f"{re.sub(r'[^A-Za-z0-9.-]+', '_', name)}-{recipe}.tar.gz"
    if saved.is_file():
        docker("load", "--input", saved)
        if recipe_of(name) == recipe:
            say(f"base image {name} loaded from {saved}")
            return
    if not find_program("debootstrap"):
        apt_install("debootstrap")
    suite = name.rpartition(":")[2]
    say(f"making base image {name}: debootstrap --variant=minbase {suite} (a minute or two)")
    run(BASE_RECIPE, name, suite, recipe, stdout=sys.stdout, stderr=sys.stderr)
    save_base_image(name, saved)


def save_base_image(name: str, saved: Path) -> None:
    saved.parent.mkdir(parents=True, exist_ok=True)
    for older in saved.parent.glob(saved.name.rsplit("-", 1)[0] + "-*.tar.gz"):
        older.unlink()
    partial = saved.with_suffix(".partial")
    pipeline = 'docker save "$1" | gzip -1 > "$2" && mv "$2" "$3"'
    run("bash", "-o", "pipefail", "-c", pipeline, "save", name, partial, saved)
    say(f"base image saved to {saved} ({saved.stat().st_size // 2**20} MiB)")


# The image --------------------------------------------------------------------------------


def pip_ca_bundle() -> Path | None:
    """The CA bundle pip is told to trust (a TLS-inspecting proxy's), if any."""
    listed = run(sys.executable, "-m", "pip", "config", "list", check=False).stdout or ""
    found = re.search(r"^[\w:.-]*\.cert='([^']+)'", listed, re.M)
    named = os.environ.get("PIP_CERT") or (found.group(1) if found else None)
    if named and not Path(named).is_file():
        raise Failure(f"pip's cert setting names {named}, which is no file")
    return Path(named) if named else None


def image_id(name: str) -> str | None:
    result = run("docker", "image", "inspect", "--format", "{{.Id}}", name, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def build_image(ca_bundle: Path | None) -> None:
    """Build IMAGE, removing the image it replaces, so that rebuilds do not pile up."""
    replaced = image_id(IMAGE)
    staged_here = ca_bundle is not None and not STAGED_CA.exists()
    if staged_here:
        shutil.copyfile(ca_bundle, STAGED_CA)
        say(f"pip's CA bundle {ca_bundle} goes to the build stage only")
    env = {**os.environ, "DOCKER_BUILDKIT": "0"}
    try:
        say(f"building {IMAGE} (classic builder, host network)")
        run("docker", "build", "--network=host", "--tag", IMAGE, ROOT, env=env, stdout=sys.stdout)
    finally:
        if staged_here:
            STAGED_CA.unlink()
    if replaced not in (None, image_id(IMAGE)):
        docker("rmi", replaced, check=False)  # left only if a container still uses it


# The run ----------------------------------------------------------------------------------


@contextmanager
def alone() -> Iterator[None]:
    with LOCK.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another docker-test on this machine ({LOCK})")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that cleanup runs
    with alone():
        return build_and_check()


def build_and_check() -> int:
    dockerd = None
    try:
        dockerd = start_daemon()
        ensure_base_image()
        ca_bundle = pip_ca_bundle()
        build_image(ca_bundle)
        check_image(ca_bundle)
    except Failure as failure:
        say(f"FAILED: {failure}")
        return 1
    finally:
        if dockerd is not None:
            dockerd.stop()
    say(f"all checks passed; the image is {IMAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
