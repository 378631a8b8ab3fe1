# ferroflow: multi-stage build of the one `ferroflow` binary.
#   docker build -t ferroflow .
#   docker run -p 5000:5000 -v ferroflow-data:/data ferroflow
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# The dashboard's assets are embedded by the server crate (server/src/web.rs).
COPY --from=web /src/web/dist web/dist
RUN cargo build --release --locked --bin ferroflow

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data --create-home ferroflow
COPY --from=build /src/target/release/ferroflow /usr/local/bin/ferroflow
USER ferroflow
WORKDIR /data
EXPOSE 5000
# Every setting is also an environment variable (MLFLOW_BACKEND_STORE_URI, ...).
ENTRYPOINT ["ferroflow"]
CMD ["server", "--host", "0.0.0.0", "--port", "5000"]
