#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing. Idempotent:
# every step checks first, so a second run takes a couple of seconds.
# Only package registries are used (crates.io, npm, Debian, rustup targets).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14            # the newest trunk that builds with rustc 1.95
WASM_BINDGEN_VERSION=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
want_browser=${1:-}              # "--browser": also Debian's chromium + chromedriver (for tests)

say() { printf '\033[1mbootstrap:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
}
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# The tools are built for this machine, not shipped, so not with their
# upstream release profiles (trunk's is fat LTO with one codegen unit: a long
# single-threaded last step), and without debug info (nobody debugs them
# here). Measured in BENCHMARKS.md ("Set-up time"):
# - trunk only drives cargo, wasm-bindgen and wasm-opt, and reads a few small
#   files: an unoptimised build runs our builds as fast, and without TLS or
#   its update check (it runs offline) it builds in half the time; without
#   debug info, in 192 s instead of 240 s on the 2.0 GHz EPYC;
# - wasm-bindgen does real work on each wasm (walrus parses and rewrites it):
#   unoptimised except for the three crates that do that work, and without
#   TLS (its test runner only talks to the local chromedriver, over plain
#   HTTP): 97 s to build instead of 159 s optimised, and 0.49 s instead of
#   0.33 s on the app's wasm (1.7 s with nothing optimised).
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION from crates.io (about 3 minutes, once)"
  CARGO_PROFILE_DEV_DEBUG=0 \
    cargo install trunk --version "$TRUNK_VERSION" --locked --force --debug --no-default-features
fi

if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (about 1.5 minutes, once)"
  # Not --locked: its lock pins a webpki-roots release that crates.io lacks.
  CARGO_PROFILE_DEV_DEBUG=0 cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    --force --debug --no-default-features \
    --config 'profile.dev.package.walrus.opt-level=2' \
    --config 'profile.dev.package.wasmparser.opt-level=2' \
    --config 'profile.dev.package.wasm-bindgen-cli-support.opt-level=2'
fi

# npm: wasm-opt (binaryen 132, which trunk is pinned to) and playwright-core.
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ ! -d e2e/node_modules/playwright-core ] \
   || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, playwright-core)"
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# The tests' Debian packages: chromium and its driver for the browser
# tests, RabbitMQ for the `amqp` source's (scripts/rabbitmq.sh runs it) and
# PostgreSQL for the history's (scripts/postgres.sh runs a cluster of its
# own). The packages' own services are not started.
if [ "$want_browser" = "--browser" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian's ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# Sources for `trunk --offline`, which passes --offline to cargo.
cargo fetch --locked >/dev/null
