<?php
/*
 * The SCIM admin page's endpoint, reached as /inc/mailcow-scim/admin-api.php (the bridge's
 * copy in data/web/inc/mailcow-scim/). mailcow's prerequisites start the admin session and
 * set the CSRF token, and load the bridge through vars.local.inc.php; AdminApi checks both.
 */

declare(strict_types=1);

require_once $_SERVER['DOCUMENT_ROOT'] . '/inc/prerequisites.inc.php';
if (!function_exists('mailcow_scim_admin_endpoint')) {
    // vars.local.inc.php lost its block: load the bridge here so the page can still say so.
    require_once __DIR__ . '/mailcow-scim.inc.php';
}
mailcow_scim_admin_endpoint();
