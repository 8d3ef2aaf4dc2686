#!/usr/bin/env bash
# A user's whole life over SCIM, as an IdP would drive it, against a running sidecar
# (for example `npm run demo`). Usage:
#   BASE=http://127.0.0.1:8080/scim/v2 TOKEN=mcs_… DOMAIN=example.org scripts/demo-lifecycle.sh
set -euo pipefail
: "${BASE:?set BASE to the SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2}"
: "${TOKEN:?set TOKEN to the SCIM token the demo printed}"
DOMAIN=${DOMAIN:-example.org}
USER_NAME=${USER_NAME:-jane.doe@$DOMAIN}

scim() { # METHOD PATH [BODY] -> prints "STATUS BODY"
  local method=$1 path=$2 body=${3:-}
  local args=(-sS -o /tmp/mcs-body.$$ -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json')
  [ -n "$body" ] && args+=(--data "$body")
  local status
  status=$(curl "${args[@]}" "$BASE$path")
  printf '%s %s\n' "$status" "$(cat /tmp/mcs-body.$$)"
  rm -f /tmp/mcs-body.$$
}
expect() { # EXPECTED_STATUS "STATUS BODY" STEP
  local got=${2%% *}
  if [ "$got" != "$1" ]; then echo "FAIL $3: expected $1, got $2" >&2; exit 1; fi
  echo "ok   $3 ($got)"
}
id_of() { sed -n 's/^[0-9]* {"schemas":\[[^]]*\],"id":"\([^"]*\)".*/\1/p' <<<"$1"; }
PATCH='urn:ietf:params:scim:api:messages:2.0:PatchOp'

r=$(scim GET "/Users?filter=userName%20eq%20%22$USER_NAME%22")
expect 200 "$r" "lookup before create"
grep -q '"totalResults":0' <<<"$r" || { echo "FAIL: $USER_NAME exists already (run the demo afresh)" >&2; exit 1; }

r=$(scim POST /Users "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$USER_NAME\",\"name\":{\"givenName\":\"Jane\",\"familyName\":\"Doe\"},\"emails\":[{\"value\":\"$USER_NAME\",\"type\":\"work\",\"primary\":true}],\"active\":true}")
expect 201 "$r" "create (a mailbox with authsource 'scim')"
id=$(id_of "$r")

r=$(scim POST /Users "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$USER_NAME\"}")
expect 409 "$r" "create again (uniqueness)"

r=$(scim PATCH "/Users/$id" "{\"schemas\":[\"$PATCH\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Jane Q. Doe\"}]}")
expect 200 "$r" "rename display name (mailbox.name)"

# Not jane@: the demo's own example creates that mailbox, and an address that is a mailbox cannot be an alias.
SECONDARY=${SECONDARY:-j.doe@$DOMAIN}
r=$(scim PATCH "/Users/$id" "{\"schemas\":[\"$PATCH\"],\"Operations\":[{\"op\":\"Add\",\"path\":\"emails\",\"value\":[{\"value\":\"$SECONDARY\",\"type\":\"other\"}]}]}")
expect 200 "$r" "secondary e-mail (becomes an alias)"

r=$(scim PATCH "/Users/$id" "{\"schemas\":[\"$PATCH\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]}")
expect 200 "$r" "disable (mailbox.active=2: no login, mail still delivered)"

r=$(scim PATCH "/Users/$id" "{\"schemas\":[\"$PATCH\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":true}}]}")
expect 200 "$r" "re-enable (mailbox.active=1)"

r=$(scim DELETE "/Users/$id")
expect 204 "$r" "delete (mailbox kept and disabled, SCIM user removed)"

r=$(scim GET "/Users/$id")
expect 404 "$r" "get after delete"

r=$(scim POST /Users "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$USER_NAME\",\"displayName\":\"Jane Doe\",\"active\":true}")
expect 201 "$r" "re-hire (the kept mailbox is claimed again)"
echo "lifecycle complete for $USER_NAME"
