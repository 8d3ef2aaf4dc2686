<?php
// Test double of mailcow's login: /login?as=admin|user starts a session with that role;
// &locale=de-de sets the admin's language as mailcow keeps it ($_SESSION['mailcow_locale'],
// mailcow-facts.md §4.3).

declare(strict_types=1);

require $_SERVER['DOCUMENT_ROOT'] . '/inc/prerequisites.inc.php';
$role = $_GET['as'] ?? '';
if (in_array($role, ['admin', 'user'], true)) {
    session_regenerate_id(true);
    $_SESSION['mailcow_cc_username'] = $role === 'admin' ? 'admin' : 'ada@example.org';
    $_SESSION['mailcow_cc_role'] = $role;
    $_SESSION['mailcow_locale'] = is_string($_GET['locale'] ?? null) ? $_GET['locale'] : 'en-gb';
}
header('Location: ' . ($role === 'admin' ? '/admin/system' : '/'));
