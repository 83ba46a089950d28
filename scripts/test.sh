#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite: lint (ruff), types (mypy),
# tests (pytest). Extra arguments go to pytest.
#
# What it installs: a virtualenv (.venv) with newsloom and its test tools; Debian's Chromium
# for the browser tests; a throwaway PostgreSQL on loopback for the store tests.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${NEWSLOOM_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
# A regular (not editable) install, so the tests also prove the package ships its data.
"$PY" -m pip install --quiet --disable-pip-version-check ".[test,pg,ray]"

# System packages: only when missing, and only where we may install them (root with apt).
apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        if [ -z "${APT_UPDATED:-}" ]; then
            apt-get update -qq >/dev/null
            APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "note: cannot install $* (not root or no apt-get); tests that need it will be skipped" >&2
    fi
}
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing Chromium for the browser tests"
    apt_install chromium chromium-driver fonts-noto-core fonts-dejavu-core
fi

echo "== starting a throwaway PostgreSQL on loopback"
pg_env="$(bash scripts/postgres.sh)"
eval "$pg_env"
export NEWSLOOM_TEST_PG

echo "== ruff"
"$VENV/bin/ruff" check newsloom tests bench
echo "== mypy"
"$VENV/bin/mypy" newsloom
echo "== pytest"
"$PY" -m pytest "$@"
