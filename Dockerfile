# syntax=docker/dockerfile:1
# The leader-election app as a small image: built with the official Swift image, run on plain
# Ubuntu with only what the statically linked binary still loads at run time.
#   docker build -t leader-election:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
# ./cicd.sh build does this for you.

ARG SWIFT_IMAGE=swift:6.3-noble
ARG RUNTIME_IMAGE=ubuntu:noble

# ---- build ------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# FoundationNetworking is linked statically with --static-swift-stdlib and needs libcurl's headers;
# the git client inflates packs with zlib and takes SHA-1 from libcrypto (libssl-dev; at run time
# libssl3t64, which libcurl4t64 loads anyway).
RUN export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libcurl4-openssl-dev libssl-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# .build lives in a build cache, so a source change recompiles only what it touches and fetches nothing
# again; the binaries are copied out of it in the same step. The cache has an id of its own, so other
# projects' builds on the same builder never share it, and locked, so the amd64 and arm64 builds of one push
# take turns instead of writing it at once. Package.swift names its dependencies by exact
# version, so the image builds them as make test did.
COPY Package.swift ./
RUN --mount=type=cache,id=leader-election-swift-build,sharing=locked,target=/src/.build swift package resolve

COPY . .
RUN --mount=type=cache,id=leader-election-swift-build,sharing=locked,target=/src/.build swift build -c release --static-swift-stdlib --product leader-election \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/leader-election" /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

# ---- run --------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="leader-election" \
      org.opencontainers.image.description="One leader across Kubernetes clusters, elected through a lease file in a GitHub Gist" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/ubuntu:noble"

# What the binary still links dynamically: libcurl (FoundationNetworking) with its own dependencies and
# libssl3t64 (libcrypto, the git client's SHA-1); ca-certificates for TLS to GitHub; tzdata for time zones.
RUN export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends ca-certificates libcurl4t64 libssl3t64 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 leader-election \
    && useradd --system --uid 65532 --gid 65532 --no-log-init --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin leader-election

COPY --from=build /staging/leader-election /usr/local/bin/leader-election
COPY --from=build /staging/swift-backtrace-static /usr/local/libexec/swift-backtrace-static

# Crashes print a symbolicated backtrace of every thread to stderr, where `kubectl logs` shows it.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/swift-backtrace-static

# A number, not a name, so Kubernetes can verify runAsNonRoot.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/leader-election"]
CMD ["run"]
