<?php
/*
 * PHPUnit bootstrap: the bridge as mailcow loads it, plus test doubles of the mailcow functions
 * it calls (same names and signatures, tests/Double/mailcow-functions.php).
 *
 * Environment (set by tests/integration/php-bridge/phpunit.test.ts):
 *   MCS_TEST_RPC_SOCKET   the real sidecar's gRPC socket
 *   MCS_TEST_BAD_SOCKET   a fake HTTP/2 server answering with malformed gRPC (paths in Grpc tests)
 *   MCS_TEST_DB_DSN, MCS_TEST_DB_USER, MCS_TEST_DB_PASS   the sidecar's MariaDB database
 *   MCS_TEST_FIXTURE_GEN  generated PHP for tests/fixtures/proto (namespace MailcowScim\TestGen)
 */

declare(strict_types=1);

require __DIR__ . '/Double/mailcow-functions.php';
require __DIR__ . '/../src/mailcow-scim.inc.php';

spl_autoload_register(static function (string $class): void {
    $prefixes = [
        'MailcowScim\\Tests\\' => __DIR__ . '/',
        'MailcowScim\\TestGen\\' => (getenv('MCS_TEST_FIXTURE_GEN') ?: '/nonexistent') . '/',
    ];
    foreach ($prefixes as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, \strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    }
});
