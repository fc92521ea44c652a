# pgward as a container: `docker run --rm -v "$PWD:/work" pgward lint migrations/`
#
# Multi-stage: build with the Rust toolchain, ship only the binary (plus git, which
# `pgward lint --since` runs) on a slim Debian, as an unprivileged user.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY rules ./rules
COPY anonymize-profiles ./anonymize-profiles
RUN cargo build --release --locked --bin pgward \
    && strip target/release/pgward

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --create-home --home-dir /home/pgward pgward \
    # A mounted repository belongs to someone else: let git read it anyway.
    && git config --system --add safe.directory '*'
COPY --from=build /src/target/release/pgward /usr/local/bin/pgward
USER pgward
WORKDIR /work
ENTRYPOINT ["pgward"]
CMD ["--help"]
