# syntax=docker/dockerfile:1
# The assay container image: the same `assay` entry point as the release binary, on a
# distroless base (no shell, no package manager), as a non-root user, with the built-in
# rule pack already unpacked so it runs on a read-only root file system with nothing
# writable but the output directory. It is the image for scans run as jobs of their own
# (ECS or AWS Batch tasks, Kubernetes Jobs; the sharded organisation scans, one shard per
# AWS Batch array job or Kubernetes Indexed Job task) and for CI jobs that prefer an image
# to the release binary. Build and run: docs/ci.md ("Container image").
#
#   docker build --build-arg ASSAY_BUILD_COMMIT="$(git rev-parse HEAD)" -t assay .
#
# Base images are pinned by version tag; pin them by digest as well (`@sha256:…`) where
# builds must be reproducible, and let a dependency bot move the digests.

ARG RUST_VERSION=1.95.0

FROM rust:${RUST_VERSION}-slim-trixie AS build
WORKDIR /src
# Only what the binary is built from (see .dockerignore): the build cache of this layer
# survives edits to docs, samples and tests.
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY rules rules
COPY report-templates report-templates
COPY fonts fonts
# `.git` is not in the build context: the commit `assay --version` names comes from here.
ARG ASSAY_BUILD_COMMIT=unknown
ENV ASSAY_BUILD_COMMIT=${ASSAY_BUILD_COMMIT}
RUN cargo build --release --locked --bin assay \
 && install -D -m 0755 target/release/assay /out/usr/local/bin/assay
# The built-in rule pack, unpacked where the image's XDG_CACHE_HOME points: assay finds an
# exact copy there and never needs to write one (run outside /src, which has ./rules).
WORKDIR /
RUN XDG_CACHE_HOME=/out/opt/assay/cache /out/usr/local/bin/assay rules list > /dev/null \
 && /out/usr/local/bin/assay --version

# glibc and libgcc (the build above links against them), CA certificates, a nonroot user.
FROM gcr.io/distroless/cc-debian13:nonroot
COPY --from=build /out/ /
ENV XDG_CACHE_HOME=/opt/assay/cache
# 65532 is distroless's `nonroot`; numeric, so Kubernetes' runAsNonRoot can check it.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/assay"]
CMD ["--help"]
