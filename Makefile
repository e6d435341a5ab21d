# zitiscope: `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# npm's binaryen provides wasm-opt for trunk; cargo-installed tools live in ~/.cargo/bin.
export PATH := $(CURDIR)/e2e/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR := $(if $(CI),never,auto)

LISTEN ?= 127.0.0.1:8080
WASM := --target wasm32-unknown-unknown

.PHONY: run test bench chaos bootstrap bootstrap-test build feed feed-quick lint test-native test-wasm test-e2e clean

## run: install what is missing, build the app (release) and serve it with a simulated network
# (Running the tools' installs beside the feed's build gained nothing on two
# cores: BENCHMARKS.md, "Set-up time".)
run: bootstrap feed-quick build
	@echo "zitiscope: open http://$(LISTEN)/  (Ctrl-C stops)"
	./target/feed-quick/zitiscope-feed --listen $(LISTEN) --static dist --controller http://$(LISTEN)

## test: install what is missing, then every test layer
test: bootstrap-test lint test-native test-wasm test-e2e

## bench: every benchmark figure against its same-run baseline (not part of test; see BENCHMARKS.md)
bench: bootstrap-test build feed
	node bench/run.mjs

## chaos: the feed-restart test at full size (20 restarts, 420k events; `make test` runs 3)
chaos: bootstrap-test build feed
	cd e2e && CHAOS_RESTARTS=20 CHAOS_CHUNK=10000 node --test --test-timeout=1800000 chaos.test.mjs

bootstrap:
	./scripts/bootstrap.sh

bootstrap-test:
	./scripts/bootstrap.sh --browser

## build: the release app into dist/, when one of its inputs changed (trunk
## itself always runs wasm-bindgen and wasm-opt again: ~20 s for nothing)
APP_INPUTS := $(shell find src style crates/core/src crates/worker/src -type f 2>/dev/null) \
	index.html Trunk.toml config.json Cargo.toml Cargo.lock crates/core/Cargo.toml crates/worker/Cargo.toml \
	crates/worker/zitiscope-worker_loader.js
build: dist/.built

dist/.built: $(APP_INPUTS)
	trunk build --release --locked
	@touch $@

feed:
	cargo build --release --locked -p zitiscope-feed

## feed-quick: the feed `make run` starts, its dependencies at opt-level 1 and
## our own crates unoptimised (1.5 minutes sooner on a fresh machine; see the
## profile in Cargo.toml), and without the AMQP client, which the simulator
## does not need (`make feed` has it)
feed-quick:
	cargo build --profile feed-quick --locked -p zitiscope-feed --no-default-features

lint:
	python3 scripts/layering.py src crates/feed/src crates/core/src crates/worker/src
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy -p zitiscope-feed --no-default-features --locked -- -D warnings
	cargo clippy $(WASM) -p zitiscope --all-targets --locked -- -D warnings
	cargo clippy $(WASM) -p zitiscope-core --lib --locked -- -D warnings
	cargo clippy $(WASM) -p zitiscope-worker --all-targets --locked -- -D warnings

## layer 1: core unit/property/golden tests and the feed's HTTP/SSE tests
## (the `amqp` tests start a RabbitMQ of their own, the history's a
## PostgreSQL; both are stopped here, pass or fail)
test-native:
	cargo test --workspace --locked; status=$$?; ./scripts/rabbitmq.sh stop; ./scripts/postgres.sh stop; exit $$status

## layer 2: components in headless Chromium
test-wasm:
	cargo test $(WASM) -p zitiscope --locked
	cargo test $(WASM) -p zitiscope-worker --locked

## layer 3: the real feed and the real release build in Chromium
test-e2e: build feed
	cd e2e && node --test --test-concurrency=1; status=$$?; ../scripts/rabbitmq.sh stop; ../scripts/postgres.sh stop; exit $$status

clean:
	rm -rf dist e2e/artifacts
	cargo clean
