#!/usr/bin/env bash
# The PostgreSQL pass: the route tests again, against a running PostgreSQL server.
#
#   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:54329/postgres scripts/ci-postgres.sh [vitest args]
#
# (scripts/start-postgres.sh DIR PORT starts a throwaway server and prints such a URL.)
# 1. generates the Prisma client for PostgreSQL (only one generated client exists at a time);
# 2. proves `prisma migrate deploy` works on PostgreSQL: applies prisma/postgres/migrations with the
#    CLI to a scratch database, checks every migration is recorded and the tables exist, drops it;
# 3. runs `vitest run --project routes` with TEST_DATABASE_URL set (each test file gets its own
#    database on that server, see tests/setup/database.ts);
# 4. runs `vitest run --project black-box` (tests/security, tests/faults: the built app as separate
#    processes, each on its own database made from a seeded template on that server, see
#    tests/setup/demo-database.ts) against the build already in build/ (`npm run build` first);
#    it runs even when the route tests failed, so one pass reports both;
# 5. ALWAYS regenerates the SQLite client at the end, pass or fail, so the checkout is left as
#    `npm test` and `npm run demo` expect it.
# Exit status: that of the tests (or of the first step that failed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { echo "ci-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

: "${TEST_DATABASE_URL:?set TEST_DATABASE_URL=postgresql://USER@127.0.0.1:PORT/postgres (scripts/start-postgres.sh prints one)}"
[[ "$TEST_DATABASE_URL" =~ ^postgres(ql)?:// ]] || die "TEST_DATABASE_URL must be a postgresql:// URL, got '$TEST_DATABASE_URL'"

PRISMA="$ROOT/node_modules/.bin/prisma"
[[ -x "$PRISMA" ]] || die "node_modules is missing: run npm ci first"
SQLITE_URL="file:./prisma/data/dev.db"
# Offline machine: no update notice, no telemetry round trip.
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1

SCRATCH_DB="rc_ci_migrate_$$_${RANDOM}"
SCRATCH_CREATED=0
MIGRATE_PID=""

# Runs SQL against the server's maintenance database (the one in TEST_DATABASE_URL).
admin_sql() {
  node --input-type=module -e '
    import pg from "pg";
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try { await client.query(process.argv[1]); } finally { await client.end(); }
  ' "$1"
}

scratch_url() {
  node -e 'const url = new URL(process.argv[1]); url.pathname = "/" + process.argv[2]; console.log(url.toString());' \
    "$TEST_DATABASE_URL" "$SCRATCH_DB"
}

cleanup() {
  local status=$?
  set +e
  if [[ -n "$MIGRATE_PID" ]] && kill -0 "$MIGRATE_PID" 2>/dev/null; then kill "$MIGRATE_PID" 2>/dev/null; fi
  if [[ $SCRATCH_CREATED -eq 1 ]]; then
    admin_sql "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)" || log "could not drop scratch database $SCRATCH_DB"
  fi
  log "regenerating the SQLite Prisma client"
  if ! DATABASE_URL="$SQLITE_URL" node scripts/db.mjs generate >/dev/null; then
    log "FAILED to regenerate the SQLite client: run DATABASE_URL=$SQLITE_URL node scripts/db.mjs generate"
    [[ $status -eq 0 ]] && status=1
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "server: $(node -e 'const u = new URL(process.argv[1]); console.log(u.host)' "$TEST_DATABASE_URL")"
admin_sql "SELECT 1" || die "cannot connect to $TEST_DATABASE_URL"

log "1/4 generating the PostgreSQL Prisma client"
DATABASE_URL="$TEST_DATABASE_URL" node scripts/db.mjs generate >/dev/null

log "2/4 prisma migrate deploy on a scratch database ($SCRATCH_DB)"
admin_sql "CREATE DATABASE \"$SCRATCH_DB\""
SCRATCH_CREATED=1
SCRATCH_URL=$(scratch_url)
MIGRATE_LOG=$(mktemp)
# prisma.config.ts picks the PostgreSQL schema and the adapter-pg@7 alias from DATABASE_URL.
# On PostgreSQL the CLI finishes its work and then lingers (~10 s): wait for its success line
# (bounded), verify the result in the database ourselves, and stop it if it is still there.
DATABASE_URL="$SCRATCH_URL" "$PRISMA" migrate deploy >"$MIGRATE_LOG" 2>&1 &
MIGRATE_PID=$!
applied=0
for _ in $(seq 1 600); do # 120 s
  if grep -qE "successfully applied|No pending migrations" "$MIGRATE_LOG"; then applied=1; break; fi
  kill -0 "$MIGRATE_PID" 2>/dev/null || break
  sleep 0.2
done
if [[ $applied -eq 0 ]]; then
  cat "$MIGRATE_LOG" >&2
  die "prisma migrate deploy did not report success"
fi
for _ in $(seq 1 10); do kill -0 "$MIGRATE_PID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$MIGRATE_PID" 2>/dev/null; then kill "$MIGRATE_PID" 2>/dev/null || true; fi
wait "$MIGRATE_PID" 2>/dev/null || true
MIGRATE_PID=""
grep -E "migration|applied" "$MIGRATE_LOG" | sed 's/^/  prisma: /' >&2 || true
rm -f "$MIGRATE_LOG"
EXPECTED=$(find prisma/postgres/migrations -mindepth 2 -name migration.sql | wc -l)
SCRATCH_URL="$SCRATCH_URL" EXPECTED="$EXPECTED" node --input-type=module -e '
  import pg from "pg";
  const client = new pg.Client({ connectionString: process.env.SCRATCH_URL });
  await client.connect();
  try {
    const done = await client.query(
      `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
    const tables = await client.query(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2)`,
      ["public", ["Job", "WebhookEvent", "Order", "Session"]]);
    const expected = Number(process.env.EXPECTED);
    if (done.rows[0].n !== expected || tables.rows[0].n !== 4) {
      console.error(`migrate deploy: ${done.rows[0].n}/${expected} migrations recorded, ${tables.rows[0].n}/4 core tables`);
      process.exit(1);
    }
    console.error(`ci-postgres: migrate deploy OK: ${expected} migration(s) recorded, core tables present`);
  } finally {
    await client.end();
  }
'
admin_sql "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)"
SCRATCH_CREATED=0

# Each pass's output is kept so that a failure can be repeated at the very end: the second pass's
# output would otherwise push the first pass's failures out of the tail a CI log shows.
ROUTES_LOG=$(mktemp)
BLACK_BOX_LOG=$(mktemp)
# The "Failed Tests" section of a Vitest run (the names, assertions and stacks), without colour codes.
failure_summary() {
  sed -e 's/\x1b\[[0-9;]*m//g' "$1" | awk '/Failed Tests [0-9]+/ { on = 1 } /Test Files/ { on = 0 } on' | head -n 150 >&2
}

log "3/4 route tests on PostgreSQL"
routes_status=0
TEST_DATABASE_URL="$TEST_DATABASE_URL" npx vitest run --project routes "$@" 2>&1 | tee "$ROUTES_LOG" || routes_status=${PIPESTATUS[0]}

log "4/4 black-box tests (security, faults) on PostgreSQL"
[[ -f build/server/index.js ]] || die "build/server/index.js is missing: run npm run build before this script"
black_box_status=0
TEST_DATABASE_URL="$TEST_DATABASE_URL" npx vitest run --project black-box 2>&1 | tee "$BLACK_BOX_LOG" || black_box_status=${PIPESTATUS[0]}

if [[ $routes_status -ne 0 ]]; then
  log "route tests FAILED on PostgreSQL (status $routes_status):"
  failure_summary "$ROUTES_LOG"
fi
if [[ $black_box_status -ne 0 ]]; then
  log "black-box tests FAILED on PostgreSQL (status $black_box_status):"
  failure_summary "$BLACK_BOX_LOG"
fi
rm -f "$ROUTES_LOG" "$BLACK_BOX_LOG"
if [[ $routes_status -ne 0 ]]; then exit "$routes_status"; fi
exit "$black_box_status"
