<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Support;

use PHPUnit\Framework\TestCase;

/** The real services the harness started, or a skip when PHPUnit runs on its own. */
final class TestEnv
{
    private static ?\PDO $pdo = null;

    public static function rpcSocket(TestCase $test): string
    {
        return self::need('MCS_TEST_RPC_SOCKET', $test);
    }

    public static function badSocket(TestCase $test): string
    {
        return self::need('MCS_TEST_BAD_SOCKET', $test);
    }

    public static function fixtureGen(TestCase $test): string
    {
        return self::need('MCS_TEST_FIXTURE_GEN', $test);
    }

    public static function pdo(TestCase $test): \PDO
    {
        if (self::$pdo === null) {
            self::$pdo = new \PDO(self::need('MCS_TEST_DB_DSN', $test), getenv('MCS_TEST_DB_USER') ?: 'root', getenv('MCS_TEST_DB_PASS') ?: '', [
                // The options mailcow's vars.inc.php / prerequisites use (docs/mailcow-facts.md §5.4).
                \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
                \PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC,
                \PDO::ATTR_EMULATE_PREPARES => false,
            ]);
        }

        return self::$pdo;
    }

    private static function need(string $name, TestCase $test): string
    {
        $v = getenv($name);
        if ($v === false || $v === '') {
            $test->markTestSkipped("$name is not set: run through `npm test` (tests/integration/php-bridge/phpunit.test.ts)");
        }

        return $v;
    }
}
