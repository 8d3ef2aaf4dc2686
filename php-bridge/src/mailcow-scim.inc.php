<?php
/*
 * mailcow-scim PHP bridge: loaded by mailcow's data/web/inc/vars.local.inc.php (php-bridge/README.md).
 * `mailcow-scim install` copies php-bridge/src/ to data/web/inc/mailcow-scim/.
 *
 * Loading it defines classes under the MailcowScim\ namespace (autoloaded from src/) and
 * functions prefixed mailcow_scim_, and does nothing else: no I/O, no output, no session or
 * database access. A missing or stopped sidecar therefore never affects mailcow itself, and
 * logins of non-SCIM mailboxes never reach this code.
 */

declare(strict_types=1);

// The bridge's version is in install-state.php (MailcowScim\InstallState), written by install
// from the version it came from; this constant only guards against loading twice.
if (!defined('MAILCOW_SCIM_BRIDGE_LOADED')) {
    define('MAILCOW_SCIM_BRIDGE_LOADED', true);
    require_once __DIR__ . '/autoload.php';
    require_once __DIR__ . '/functions.php';
}
