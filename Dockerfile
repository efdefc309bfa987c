# The ksgov worker (and CLI) image. Built by docker-compose.yml; not built in CI (no Docker engine).
FROM python:3.11-slim

# WeasyPrint (minutes and protocols as PDF) needs Pango and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config.py telemetry.py connection.py sealing.py worker.py ./
COPY domain ./domain
COPY models ./models
COPY store ./store
COPY notices ./notices
COPY activities ./activities
COPY workflows ./workflows
COPY client ./client
COPY service ./service
COPY harness ./harness
COPY web ./web
COPY cli ./cli
COPY data ./data
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 ksgov
USER ksgov

# The worker until stopped (docker-compose.yml migrates first, as the tables' owner).
CMD ["ksgov", "worker"]
