# syntax=docker/dockerfile:1
# Build a static briefbot binary (pure Go: SQLite is modernc.org/sqlite, no cgo).
# GO_VERSION matches go.mod's go line (a test checks). GOTOOLCHAIN=auto
# fetches that toolchain through the module proxy should the image's Go be
# older (a stale cached tag); the image's default, local, fails instead.
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION} AS build
ENV GOTOOLCHAIN=auto
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces a module with its copy here (third_party/README.md).
COPY third_party ./third_party
RUN go mod download
COPY . .
# VERSION is what `briefbot version` and the logs say; docker-compose.yml
# passes BRIEFBOT_VERSION. .git is not in the build context, so without it
# the binary says "devel".
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/briefbot ./cmd/briefbot \
 && mkdir -p /out/data

# Runtime: distroless static carries CA certificates and tzdata (digest
# times are in the subscriber's timezone) and a non-root user, and no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/briefbot /usr/local/bin/briefbot
# The data directory must belong to the nonroot user (65532) or SQLite
# cannot create its file and WAL beside it.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
VOLUME ["/data"]
ENV BRIEFBOT_DATABASE_PATH=/data/briefbot.db \
    BRIEFBOT_ADMIN_LISTEN=0.0.0.0:9090 \
    BRIEFBOT_LOG_FORMAT=json
EXPOSE 9090
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/briefbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/briefbot"]
CMD ["run"]
