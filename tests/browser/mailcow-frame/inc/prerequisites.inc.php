<?php
/*
 * Test double of mailcow's data/web/inc/prerequisites.inc.php, reduced to what the SCIM page
 * relies on: vars.local.inc.php (which loads the bridge), the MCSESSID session and its CSRF
 * token (docs/mailcow-facts.md §4.4, §5.5).
 */

declare(strict_types=1);

if (file_exists($_SERVER['DOCUMENT_ROOT'] . '/inc/vars.local.inc.php')) {
    include_once $_SERVER['DOCUMENT_ROOT'] . '/inc/vars.local.inc.php';
}
session_name('MCSESSID');
session_start();
if (!isset($_SESSION['CSRF']['TOKEN'])) {
    $_SESSION['CSRF']['TOKEN'] = bin2hex(random_bytes(32));
}
