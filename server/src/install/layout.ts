/**
 * Where mailcow-scim puts things in a mailcow checkout, and the container paths they refer to.
 * Every file below is gitignored by mailcow, or listed in .git/info/exclude by the installer,
 * so mailcow's update.sh neither commits nor trips over it (docs/mailcow-facts.md §5.6).
 */

export const MAILCOW_FILES = {
  compose: 'docker-compose.yml',
  override: 'docker-compose.override.yml',
  conf: 'mailcow.conf',
  initDb: 'data/web/inc/init_db.inc.php',
  varsLocal: 'data/web/inc/vars.local.inc.php',
  /** The PHP bridge, copied from php-bridge/src (mailcow's .gitignore does not cover it). */
  bridgeDir: 'data/web/inc/mailcow-scim',
  nginxSite: 'data/conf/nginx/site.scim.custom',
  /** The upstream site.scim.custom proxies to; nginx.conf includes data/conf/nginx/*.conf at http level. */
  nginxUpstream: 'data/conf/nginx/mailcow-scim-upstream.conf',
  phpfpmHook: 'data/hooks/phpfpm/mailcow-scim-enum-guard.sh',
  /** Our state: the install manifest and backups of every file changed. */
  stateDir: '.mailcow-scim',
  gitExclude: '.git/info/exclude',
} as const;

/** The file vars.local.inc.php loads: the bridge's entry point, as php-fpm sees it. */
export const BRIDGE_ENTRY_FILE = 'mailcow-scim.inc.php';
export const BRIDGE_ENTRY_IN_CONTAINER = `/web/inc/mailcow-scim/${BRIDGE_ENTRY_FILE}`;

/** Sockets inside the shared volume, as the compose override and nginx see them. */
export const CONTAINER_SOCKETS = {
  http: '/run/mailcow-scim/http/http.sock',
  rpc: '/run/mailcow-scim/rpc/rpc.sock',
} as const;

/** The compose names the override adds. */
export const COMPOSE_NAMES = {
  service: 'mailcow-scim',
  socketVolume: 'mailcow-scim-socket-vol-1',
} as const;

/** Image used when none is given: built locally from the mailcow-scim checkout. */
export const LOCAL_IMAGE = 'mailcow-scim:local';

/** The nginx upstream (in nginxUpstream) that site.scim.custom proxies to. */
export const NGINX_UPSTREAM_NAME = 'mailcow_scim_sidecar';

/** nginx's limit for SCIM bodies; the sidecar's own (1 MiB default) answers below it. */
export const NGINX_CLIENT_MAX_BODY_SIZE = '4m';
