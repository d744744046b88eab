# The service, with the store built from content/ at image build.
#
#   docker build --network=host -t briefing .     (make docker-test does this and checks it)
#   docker run -p 127.0.0.1:8000:8000 briefing     (or --network=host; BRIEFING_BIND=host:port)
#   docker run -v /srv/briefing:/var/lib/briefing:ro ... briefing   (another store, see below)
#
# The base is Debian bookworm's own Python 3.11, made locally from Debian's packages by
# .ci/docker_base_image.sh (make docker-test does it when the image is missing). The name is
# under localhost/ so that a missing base image is never fetched from Docker Hub instead.
# Written for the classic builder too: no heredocs, no RUN --mount, no build secrets.
ARG BASE_IMAGE=localhost/briefing-python:bookworm

FROM ${BASE_IMAGE} AS build
# PEP 517 builds for the few dependencies published without a wheel (feedgen).
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PIP_USE_PEP517=1
RUN python3 -m venv /opt/briefing/venv
ENV PATH=/opt/briefing/venv/bin:$PATH
# A CA bundle for a TLS-inspecting proxy between pip and PyPI, if the build host needs one
# (docker/build-ca/README.md). This stage alone sees it: the final image starts afresh.
COPY docker/build-ca/ /tmp/build-ca/
RUN if [ -f /tmp/build-ca/ca-bundle.crt ]; then \
        printf '[global]\ncert = /tmp/build-ca/ca-bundle.crt\n' > /etc/pip.conf; fi
WORKDIR /src
# The dependencies first, from pyproject.toml alone: their layer outlives code changes.
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install --quiet --requirement /tmp/requirements.txt
COPY README.md ./
COPY schemas ./schemas
COPY service ./service
# No pip in the final image: nothing installs there, and the service needs none of it.
RUN pip install --quiet --no-deps . && pip uninstall --quiet --yes pip setuptools
COPY content ./content
RUN briefing build content --store /var/lib/briefing/briefing.sqlite3

FROM ${BASE_IMAGE}
RUN groupadd --gid 10001 briefing \
    && useradd --no-log-init --uid 10001 --gid briefing \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin briefing
COPY --from=build /opt/briefing/venv /opt/briefing/venv
# The store, owned by root and only read: mount a directory over /var/lib/briefing (read-only
# is enough) to serve another; `briefing build` into it replaces the store in service.
COPY --from=build /var/lib/briefing /var/lib/briefing
ENV PATH=/opt/briefing/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BRIEFING_STORE=/var/lib/briefing/briefing.sqlite3 \
    BRIEFING_BIND=0.0.0.0:8000
WORKDIR /opt/briefing
# Numeric, so that an orchestrator can verify that it is not root (runAsNonRoot).
USER 10001:10001
EXPOSE 8000
# Ready only with a good store open; python3, as the image has no curl. Port from BRIEFING_BIND.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; port = os.environ['BRIEFING_BIND'].rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/readyz', timeout=4)"]
# Exec form: `briefing serve` is PID 1 and becomes the gunicorn master, so SIGTERM from
# `docker stop` reaches gunicorn itself and shuts it down gracefully; SIGHUP reloads workers.
ENTRYPOINT ["briefing"]
CMD ["serve"]
