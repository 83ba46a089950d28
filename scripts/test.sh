#!/usr/bin/env bash
# Install everything the tests need into a virtualenv, then run the whole suite:
# lint (ruff), types (mypy), and tests (pytest). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${NEWSLOOM_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
# A regular (not editable) install, so the tests also prove the package ships its data.
"$PY" -m pip install --quiet --disable-pip-version-check ".[test]"

echo "== ruff"
"$VENV/bin/ruff" check newsloom tests bench
echo "== mypy"
"$VENV/bin/mypy" newsloom
echo "== pytest"
"$PY" -m pytest "$@"
