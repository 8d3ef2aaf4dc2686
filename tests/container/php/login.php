<?php
/*
 * A mailcow login as php-fpm runs it, for the container test: mailcow's prerequisites load
 * vars.local.inc.php (which loads the bridge `install` copied into data/web), then user_login()
 * meets a 'scim' mailbox and calls mailcow_scim_user_login(), which asks the sidecar for the
 * route over the gRPC socket. mailcow's own functions are the bridge's test doubles
 * (php-bridge/tests/Double): the LDAP check accepts ?idp_password for ?user.
 * Prints JSON: the result, the alerts for the login page, the credential checks, who ran it.
 */

declare(strict_types=1);

use MailcowScim\Tests\Double\MailcowDouble;

header('Content-Type: application/json');
require '/mcs-double/mailcow-functions.php';
require '/web/inc/vars.local.inc.php';

$user = (string) ($_GET['user'] ?? '');
$_SESSION = [];
// mailcow's $pdo: the MariaDB socket php-fpm shares with the sidecar, mailcow's credentials.
$GLOBALS['pdo'] = new PDO('mysql:unix_socket=/var/run/mysqld/mysqld.sock;dbname=' . getenv('DBNAME'), (string) getenv('DBUSER'), (string) getenv('DBPASS'), [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$GLOBALS['iam_provider'] = new stdClass();
$GLOBALS['iam_settings'] = ['mappers' => [], 'templates' => []];
MailcowDouble::reset();
MailcowDouble::$ldapPasswords = [$user => (string) ($_GET['idp_password'] ?? '')];

$result = user_login($user, (string) ($_GET['pass'] ?? ''), ['service' => 'NONE']);
echo json_encode([
    'result' => $result,
    'return' => $_SESSION['return'] ?? [],
    'checks' => array_map(static fn (array $c) => $c[0], MailcowDouble::$credentialChecks),
    'bridge' => defined('MAILCOW_SCIM_BRIDGE_LOADED'),
    'uid' => posix_geteuid(),
    'gid' => posix_getegid(),
], JSON_THROW_ON_ERROR);
