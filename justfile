# paddock: the commands people type. `just` alone lists them.

set shell := ["bash", "-euo", "pipefail", "-c"]

venv := ".venv"
py := venv / "bin/python"
# The Cargo profile the extension is built with for development and tests: optimised, no LTO.
profile := env_var_or_default("PADDOCK_CARGO_PROFILE", "ci")

# List the recipes.
default:
    @just --list

alias t := test

# Create the virtualenv, install paddock's dependencies, build the extension into it and build the web app.
[group("setup")]
setup: && web
    {{py}} -m pip --version >/dev/null 2>&1 || python3 -m venv --clear {{venv}}
    {{py}} -m pip install --quiet --disable-pip-version-check --upgrade pip "maturin>=1.9,<2"
    {{venv}}/bin/maturin develop --quiet --extras dev --profile {{profile}}

# Install the web app's locked dependencies and build it into python/paddock/web (served at `/`).
[group("setup")]
web:
    cd web && npm ci --no-audit --no-fund --loglevel=error
    cd web && npm run build

# Rebuild only the extension (after editing Rust).
[group("setup")]
dev:
    {{venv}}/bin/maturin develop --quiet --skip-install --profile {{profile}}

# Start the API server with the built-in simulator (Project CARS 2 over loopback UDP).
[group("run")]
serve *ARGS: setup
    {{venv}}/bin/paddock serve --simulate {{ARGS}}

# Run the simulator alone, e.g. `just simulate --to 127.0.0.1:5606`.
[group("run")]
simulate *ARGS:
    {{venv}}/bin/paddock simulate {{ARGS}}

# The whole test suite: Rust, Python (unit, API, end-to-end), then the web app (unit, lint, browser).
[group("test")]
test: setup test-rust test-py test-web

# Rust unit, property and integration tests of the core.
[group("test")]
test-rust:
    cargo test --profile {{profile}} -p paddock-core

# Python tests (pass pytest arguments, e.g. `just test-py -k laps`).
[group("test")]
test-py *ARGS:
    {{py}} -m pytest {{ARGS}}

# The web app: Vitest unit tests, eslint and vue-tsc, then the browser tests (Chromium, real server).
[group("test")]
test-web:
    cd web && npm test
    cd web && npm run lint
    cd web && npm run typecheck
    cd web && npm run test:browser

# Browser tests only (needs `just setup` and Debian's chromium); screenshots in tests/browser/artifacts.
[group("test")]
test-browser:
    cd web && npm run test:browser

# Benchmarks: paddock against the pure-Python alternative, in one run (release build).
[group("bench")]
bench: setup
    {{venv}}/bin/maturin develop --quiet --skip-install --release
    {{py}} benches/bench_pcars2.py
    {{py}} benches/bench_ring.py
    {{py}} benches/bench_can.py
    {{py}} benches/bench_analysis.py
    cd web && npm run bench

# Format Rust and Python.
[group("lint")]
fmt:
    cargo fmt --all
    {{venv}}/bin/ruff format python tests benches
    {{venv}}/bin/ruff check --fix python tests benches

# Lints: clippy, rustfmt, ruff, mypy (strict on the package), eslint and vue-tsc (the web app).
[group("lint")]
lint:
    cargo fmt --all -- --check
    cargo clippy --profile {{profile}} --all-targets -- -D warnings
    {{venv}}/bin/ruff check python tests benches
    {{venv}}/bin/ruff format --check python tests benches
    {{venv}}/bin/mypy
    cd web && (test -d node_modules || npm ci --no-audit --no-fund --loglevel=error)
    cd web && npm run lint
    cd web && npm run typecheck

# Build a release wheel (with the web app) into target/wheels.
[group("build")]
wheel: web
    {{venv}}/bin/maturin build --release
