#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then the database tests again on a throwaway PostgreSQL.
# On CI (CI=true) nothing may be skipped: a missing PostgreSQL or Chromium is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export JINGZHUN_TEST_STRICT=${CI:-}
export JINGZHUN_DATA_DIR=${JINGZHUN_DATA_DIR:-$(mktemp -d /tmp/jingzhun-test-data.XXXXXX)}
pgdir=$(mktemp -d /tmp/jingzhun-pg.XXXXXX)
port=$(( 55000 + RANDOM % 5000 ))
cleanup() { scripts/pg-throwaway.sh stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
pg_url=$(scripts/pg-throwaway.sh start "$pgdir" "$port")

echo "== SQLite: unit, integration and browser tests =="
env -u JINGZHUN_DATABASE_URL JINGZHUN_TEST_DB=sqlite "$BIN/pytest" -q -n "${JINGZHUN_TEST_WORKERS:-2}" "$@"

echo "== PostgreSQL: integration tests =="
JINGZHUN_DATABASE_URL="$pg_url" JINGZHUN_TEST_DB=postgresql "$BIN/pytest" -q -n "${JINGZHUN_TEST_WORKERS:-2}" -m "not browser and not sqlite_only" "$@"
