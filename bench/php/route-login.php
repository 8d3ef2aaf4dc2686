<?php
// RouteLogin round trips from PHP through the bridge's own client (php-bridge/README.md), timed
// around each call.
// Usage: php route-login.php BRIDGE_SRC_DIR RPC_SOCKET COUNT USERNAMES_FILE
// Prints {"samples":[ms…],"routes":{route:count},"cpu":{"userMs":…,"sysMs":…}} on stdout; cpu is
// this PHP process's own CPU (getrusage) over the loop, bridge construction included.

declare(strict_types=1);

[, $bridgeSrc, $socket, $count, $usernamesFile] = $argv;
require $bridgeSrc . '/autoload.php';

use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginFlow;
use MailcowScim\Gen\Mailcow\Scim\V1\RouteLoginRequest;

$names = file($usernamesFile, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
$samples = [];
$routes = [];
$usage = getrusage();
for ($i = 0; $i < (int) $count; $i++) {
    // A php-fpm request builds its bridge afresh; so does each login here.
    // As mailcow_scim_user_login() asks (src/Login/ScimLogin.php), with the login deadline.
    $config = new Config($socket);
    $bridge = new Bridge($config);
    $request = new RouteLoginRequest(['username' => $names[$i % count($names)], 'service' => 'IMAP', 'flow' => LoginFlow::LOGIN_FLOW_PASSWORD]);
    $start = hrtime(true);
    $response = $bridge->login()->routeLogin($request, $config->loginDeadlineMs);
    $samples[] = (hrtime(true) - $start) / 1e6;
    $routes[$response->route] = ($routes[$response->route] ?? 0) + 1;
}
$after = getrusage();
$ms = static fn (array $u, string $k): float => $u["ru_{$k}.tv_sec"] * 1e3 + $u["ru_{$k}.tv_usec"] / 1e3;
$cpu = ['userMs' => $ms($after, 'utime') - $ms($usage, 'utime'), 'sysMs' => $ms($after, 'stime') - $ms($usage, 'stime')];
echo json_encode(['samples' => $samples, 'routes' => $routes, 'cpu' => $cpu]), "\n";
