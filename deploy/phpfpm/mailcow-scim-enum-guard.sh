#!/bin/bash
# mailcow-scim ENUM guard: keeps 'scim' in mailbox.authsource across mailcow schema updates.
#
# Installed by `mailcow-scim install` as data/hooks/phpfpm/mailcow-scim-enum-guard.sh. mailcow's
# php-fpm entrypoint runs every executable in /hooks as root, after its own init_db, on every
# container start (docs/mailcow-facts.md §5.6). The `mariadb` client and DBUSER/DBPASS/DBNAME
# are available there (§1.2).
#
# Why: init_db re-declares mailbox.authsource with mailcow's four values whenever the schema
# version changes. With 'scim' rows present that ALTER fails (error 1265 in strict mode), init_db
# stops at the mailbox table, versions.db_schema stays old and SOGo waits for it forever; with
# no 'scim' rows it succeeds and silently drops the value (§1.2).
#
# What it does, every start:
#   1. If versions.db_schema differs from $db_version in init_db.inc.php (a migration is pending
#      because it failed, or never ran): park every 'scim' mailbox as 'mailcow', remembering it in
#      mailcow_scim_authsource_parking, and run init_db again so mailcow's migration completes.
#   2. Make sure the ENUM contains 'scim' again (mailcow's values, order, default and NULL kept).
#   3. Restore 'scim' on every parked mailbox (and on owned mailboxes whose value was truncated
#      to ''), then forget the parked rows.
# Parking survives a crash: a later run restores what an earlier one parked. `modified` is left
# as it was (modified = modified), so mailcow's change timestamps do not move.
#
# The hook never stops php-fpm from starting: mailcow's entrypoint ignores a hook's exit code;
# this script exits 1 on failure only so that the failure is visible in `docker compose logs`.
#
# Settings (environment; the defaults are mailcow's):
#   MAILCOW_SCIM_INIT_DB_FILE  init_db.inc.php to read $db_version from (/web/inc/init_db.inc.php)
#   MAILCOW_SCIM_INIT_DB_CMD   how to run init_db (php -c /usr/local/etc/php -f /web/inc/init_db.inc.php)
#   MAILCOW_SCIM_DB_SOCKET     MariaDB socket (/var/run/mysqld/mysqld.sock)
#   MAILCOW_SCIM_DB_HOST, MAILCOW_SCIM_DB_PORT   TCP instead of the socket (tests)
#   MAILCOW_SCIM_DB_WAIT       seconds to wait for MariaDB (60)
# mailcow-scim:managed-file mailcow-scim-enum-guard.sh

set -uo pipefail

INIT_DB_FILE="${MAILCOW_SCIM_INIT_DB_FILE:-/web/inc/init_db.inc.php}"
INIT_DB_CMD="${MAILCOW_SCIM_INIT_DB_CMD:-php -c /usr/local/etc/php -f /web/inc/init_db.inc.php}"
PARKING=mailcow_scim_authsource_parking

log() { echo "mailcow-scim enum guard: $*"; }
fail() { log "ERROR: $*"; exit 1; }

# init_db migrates only on the master; a replica must not ALTER mailcow's tables either.
if [[ ! "${MASTER:-y}" =~ ^([yY][eE][sS]|[yY])+$ ]]; then
  log "not the master (MASTER=${MASTER:-}): nothing to do"
  exit 0
fi
[ -n "${DBNAME:-}" ] && [ -n "${DBUSER:-}" ] || fail "DBNAME and DBUSER must be set (they are, in mailcow's php-fpm container)"

# Credentials go through a private option file, never the command line (visible in ps).
CNF="$(mktemp)" || fail "mktemp failed"
trap 'rm -f "$CNF"' EXIT
chmod 600 "$CNF"
# Option-file values are double-quoted; backslash and quote are escaped inside.
optval() { local v="${1//\\/\\\\}"; v="${v//\"/\\\"}"; printf '"%s"' "$v"; }
{
  echo "[client]"
  echo "user=$(optval "$DBUSER")"
  echo "password=$(optval "${DBPASS:-}")"
  if [ -n "${MAILCOW_SCIM_DB_HOST:-}" ]; then
    echo "host=${MAILCOW_SCIM_DB_HOST}"
    echo "port=${MAILCOW_SCIM_DB_PORT:-3306}"
    echo "protocol=tcp"
  else
    echo "socket=${MAILCOW_SCIM_DB_SOCKET:-/var/run/mysqld/mysqld.sock}"
  fi
  # mailcow's own scripts call the client with --skip-ssl (the socket needs no TLS).
  echo "skip-ssl"
} >"$CNF"

MARIADB="$(command -v mariadb || command -v mysql)" || fail "no mariadb/mysql client found"

# One statement batch; prints tab-separated rows without headers.
sql() { "$MARIADB" --defaults-extra-file="$CNF" --batch --skip-column-names "$DBNAME" -e "$1"; }

waited=0
until sql "SELECT 1" >/dev/null 2>&1; do
  [ "$waited" -ge "${MAILCOW_SCIM_DB_WAIT:-60}" ] && fail "MariaDB did not answer within ${waited}s"
  sleep 1
  waited=$((waited + 1))
done

table_exists() { [ -n "$(sql "SHOW TABLES LIKE '$1'")" ]; }

if ! table_exists mailbox; then
  log "no mailbox table yet (mailcow not initialised): nothing to do"
  exit 0
fi

enum_type() {
  sql "SELECT COLUMN_TYPE FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mailbox' AND COLUMN_NAME = 'authsource'"
}

# 2. Append 'scim' to whatever ENUM mailcow declares now, keeping its default and NULL-ability.
ensure_enum() {
  local type default nullable literal
  type="$(enum_type)" || return 1
  case "$type" in
    enum\(*\)) ;;
    *) log "mailbox.authsource is not an ENUM ('$type'): leaving it alone"; return 1 ;;
  esac
  if [[ "$type" == *"'scim'"* ]]; then
    return 0
  fi
  default="$(sql "SELECT IFNULL(COLUMN_DEFAULT, 'NULL') FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mailbox' AND COLUMN_NAME = 'authsource'")" || return 1
  nullable="$(sql "SELECT IS_NULLABLE FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'mailbox' AND COLUMN_NAME = 'authsource'")" || return 1
  # MariaDB reports a string default quoted ('mailcow') and a missing one as NULL.
  literal="${type%)},'scim')"
  if [ "$nullable" = "YES" ]; then nullable="NULL"; else nullable="NOT NULL"; fi
  log "adding 'scim' to mailbox.authsource ($type)"
  sql "ALTER TABLE mailbox MODIFY COLUMN authsource ${literal} ${nullable} DEFAULT ${default}"
}

# 3. Put 'scim' back on parked mailboxes and on owned ones a non-strict ALTER truncated to ''.
restore_scim() {
  local statements=""
  if table_exists "$PARKING"; then
    statements+="UPDATE mailbox m JOIN ${PARKING} p ON p.mailbox = m.username
                   SET m.authsource = 'scim', m.modified = m.modified
                 WHERE m.authsource = 'mailcow' OR m.authsource = '' OR m.authsource IS NULL;
                 DELETE FROM ${PARKING};"
  fi
  if table_exists mailcow_scim_users; then
    statements+="UPDATE mailbox m JOIN mailcow_scim_users u ON u.mailbox = m.username
                   SET m.authsource = 'scim', m.modified = m.modified
                 WHERE m.authsource = '' OR m.authsource IS NULL;"
  fi
  [ -z "$statements" ] && return 0
  sql "START TRANSACTION; ${statements} COMMIT;"
}

count_parked() {
  if table_exists "$PARKING"; then sql "SELECT COUNT(*) FROM ${PARKING}"; else echo 0; fi
}

# 1. A pending mailcow migration: park, migrate, then fall through to 2 and 3.
expected="$(sed -n 's/^[[:space:]]*\$db_version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$INIT_DB_FILE" 2>/dev/null | head -n 1)"
current="$(sql "SELECT version FROM versions WHERE application = 'db_schema'" 2>/dev/null || true)"
if [ -z "$expected" ]; then
  log "could not read \$db_version from $INIT_DB_FILE: skipping the migration check"
elif [ "$current" != "$expected" ]; then
  log "mailcow schema ${current:-(none)} -> $expected is pending: parking 'scim' mailboxes and running init_db"
  sql "CREATE TABLE IF NOT EXISTS ${PARKING} (
         mailbox VARCHAR(255) NOT NULL,
         parked_at DATETIME NOT NULL,
         PRIMARY KEY (mailbox)
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC" || fail "could not create ${PARKING}"
  if [[ "$(enum_type)" == *"'scim'"* ]]; then
    sql "START TRANSACTION;
         INSERT IGNORE INTO ${PARKING} (mailbox, parked_at) SELECT username, NOW() FROM mailbox WHERE authsource = 'scim';
         UPDATE mailbox SET authsource = 'mailcow', modified = modified WHERE authsource = 'scim';
         COMMIT;" || fail "could not park 'scim' mailboxes"
  fi
  log "parked $(count_parked) mailbox(es); running: $INIT_DB_CMD"
  # init_db prints its own messages; its exit code is not reliable, versions.db_schema is.
  $INIT_DB_CMD || true
  current="$(sql "SELECT version FROM versions WHERE application = 'db_schema'" 2>/dev/null || true)"
  if [ "$current" = "$expected" ]; then
    log "mailcow schema is now $current"
  else
    log "WARNING: mailcow schema is still ${current:-(none)}, expected $expected: init_db failed for another reason"
  fi
fi

ensure_enum || fail "could not add 'scim' to mailbox.authsource; 'scim' mailboxes stay parked as 'mailcow' until the next run"
restore_scim || fail "could not restore 'scim' on parked mailboxes; they stay parked until the next run"
log "ok: mailbox.authsource accepts 'scim'; $(sql "SELECT COUNT(*) FROM mailbox WHERE authsource = 'scim'") mailbox(es) use it"
exit 0
