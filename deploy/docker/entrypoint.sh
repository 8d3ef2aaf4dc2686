#!/bin/sh
# Entrypoint of the mailcow-scim image: prepares the socket directories, then runs the CLI
# (`serve` by default; any other command, e.g. `doctor` or `token create`, works the same way).
#
# Each socket gets its own directory, owned by the sidecar and set-group-ID to the group of the
# one consumer that may connect: the socket created inside inherits that group, and with
# SCIM_SOCKET_MODE=0660 nobody else can reach it. Defaults: nginx (101) for the HTTP socket,
# php-fpm's www-data (82) for the gRPC socket.
#
# Privileges: the image starts as root only so that `install` (and `doctor --repair`, which
# re-runs it) can write a root-owned mailcow checkout mounted into it. Every other command runs
# as `node` (uid 1000, with its groups 82 and 101): started as root, it drops to node here, with
# no capabilities and no way to regain any. The compose override starts the service as 1000
# anyway, which lands in the same place.
set -eu

NODE_USER=node

is_member() { id -G | tr ' ' '\n' | grep -qx "$1"; }

prepare_socket_dir() {
  socket="$1"
  group="$2"
  [ -n "$socket" ] || return 0
  dir="$(dirname "$socket")"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown "$NODE_USER:$group" "$dir" && chmod 2750 "$dir"
  elif is_member "$group"; then
    chgrp "$group" "$dir" && chmod 2750 "$dir"
  else
    echo "mailcow-scim: not a member of group $group; $dir keeps group $(stat -c %g "$dir")" >&2
  fi
}

command="${1:-serve}"
if [ "$command" = serve ]; then
  prepare_socket_dir "${SCIM_HTTP_SOCKET:-}" "${SCIM_HTTP_SOCKET_GROUP:-101}"
  prepare_socket_dir "${SCIM_RPC_SOCKET:-}" "${SCIM_RPC_SOCKET_GROUP:-82}"
fi

if [ "$(id -u)" = 0 ]; then
  case "$command" in
    install | doctor) ;;
    *)
      HOME="$(getent passwd "$NODE_USER" | cut -d: -f6)"
      export HOME
      exec setpriv --reuid="$NODE_USER" --regid="$NODE_USER" --init-groups \
        --inh-caps=-all --bounding-set=-all --no-new-privs \
        node /app/bin/mailcow-scim.js "$@"
      ;;
  esac
fi

exec node /app/bin/mailcow-scim.js "$@"
