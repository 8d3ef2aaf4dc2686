#!/bin/sh
# Entrypoint of the mailcow-scim image: prepares the socket directories, then runs the CLI
# (`serve` by default; any other command, e.g. `doctor` or `token create`, works the same way).
#
# Each socket gets its own directory, owned by the sidecar and set-group-ID to the group of the
# one consumer that may connect: the socket created inside inherits that group, and with
# SCIM_SOCKET_MODE=0660 nobody else can reach it. Defaults: nginx (101) for the HTTP socket,
# php-fpm's www-data (82) for the gRPC socket.
set -eu

prepare_socket_dir() {
  socket="$1"
  group="$2"
  [ -n "$socket" ] || return 0
  dir="$(dirname "$socket")"
  mkdir -p "$dir"
  if id -G | tr ' ' '\n' | grep -qx "$group" || [ "$(id -u)" = 0 ]; then
    chgrp "$group" "$dir" && chmod 2750 "$dir"
  else
    echo "mailcow-scim: not a member of group $group; $dir keeps group $(stat -c %g "$dir")" >&2
  fi
}

if [ "${1:-serve}" = serve ]; then
  prepare_socket_dir "${SCIM_HTTP_SOCKET:-}" "${SCIM_HTTP_SOCKET_GROUP:-101}"
  prepare_socket_dir "${SCIM_RPC_SOCKET:-}" "${SCIM_RPC_SOCKET_GROUP:-82}"
fi

exec node /app/bin/mailcow-scim.js "$@"
