# A first image: the service with the store built from content/ at image build.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY service ./service
COPY content ./content
RUN pip install --no-cache-dir . \
    && briefing build content --store /app/var/briefing.sqlite3 \
    && useradd --system --home /app briefing
USER briefing
EXPOSE 8000
CMD ["briefing", "serve", "--store", "/app/var/briefing.sqlite3", "--bind", "0.0.0.0:8000"]
