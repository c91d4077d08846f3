# Production image: the portal behind uvicorn workers. Front-end libraries come from npm
# in a build stage and are served from our own static folder.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
COPY scripts/vendor.sh scripts/vendor.sh
RUN mkdir -p static && bash scripts/vendor.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PORTAL_ENV=production PORTAL_DATA_DIR=/data HOST=0.0.0.0 PORT=8000
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app portal
# The Chinese font of the evaluation report, embedded in its PDF (portal/reports/fonts.py).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY portal portal
COPY matching matching
COPY scheduling scheduling
RUN pip install .
COPY alembic.ini ./
COPY migrations migrations
COPY seed seed
COPY templates templates
COPY static static
COPY --from=assets /src/static/vendor static/vendor
RUN mkdir -p /data && chown portal /data
USER portal
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["portal", "serve", "--workers", "4"]
