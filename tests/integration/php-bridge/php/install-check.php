<?php
/*
 * Loads the bridge from where `mailcow-scim install` put it and runs its install checks on the
 * patched tree: php install-check.php WEB_ROOT. Prints JSON: what loading defined and printed,
 * and the checks.
 */

declare(strict_types=1);

$web = $argv[1];
$before = get_defined_functions()['user'];
ob_start();
require $web . '/inc/mailcow-scim/mailcow-scim.inc.php';
require $web . '/inc/mailcow-scim/mailcow-scim.inc.php';
$output = ob_get_clean();
$defined = array_values(array_diff(get_defined_functions()['user'], $before));
echo json_encode([
    'output' => $output,
    'functions' => $defined,
    'version' => MailcowScim\InstallState::load($web . '/inc/mailcow-scim')->version(),
    'checks' => (new MailcowScim\Admin\InstallCheck($web))->run(),
], JSON_THROW_ON_ERROR);
