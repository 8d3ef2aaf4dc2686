<?php
// Runs mailcow's own schema migration, init_db_schema() from an unchanged copy of mailcow's
// data/web/inc/init_db.inc.php, against one MariaDB database, so that a test can compare the
// schema mailcow creates with the one our fixture SQL creates (docs/mailcow-facts.md, "Refreshing
// the schema fixture").
//
// Usage: php run-mailcow-init-db.php MAILCOW_DIR
//   MAILCOW_DIR holds data/web/inc/init_db.inc.php and vars.inc.php (tests/fixtures/mailcow-upstream).
//   The database comes from the environment: MCS_DB_HOST, MCS_DB_PORT, MCS_DB_USER, MCS_DB_PASS,
//   MCS_DB_NAME (or MCS_DB_SOCKET instead of host and port).
// Exit status 0 when mailcow reports "DB initialization completed", 1 otherwise (its message on stderr).
//
// Why not `php -f init_db.inc.php` as mailcow's php-fpm entrypoint does: under the CLI the file's
// last block includes /web/inc/... and connects to mailcow's socket with mailcow's credentials.
// The harness instead provides what init_db_schema() reads (the global $pdo, made the way
// mailcow's vars.inc.php/prerequisites make it, and $MAILBOX_DEFAULT_ATTRIBUTES from mailcow's
// vars.inc.php) and takes only the function definition out of the file, with PHP's own tokenizer.

declare(strict_types=1);

function fail(string $message): never
{
    fwrite(STDERR, $message . PHP_EOL);
    exit(1);
}

/** The source of the top-level `function $name() { … }` in $code, found by PHP's tokenizer. */
function top_level_function_source(string $code, string $name): string
{
    $tokens = token_get_all($code);
    $count = count($tokens);
    $depth = 0;
    for ($i = 0; $i < $count; $i++) {
        $t = $tokens[$i];
        if ($t === '{' || (is_array($t) && in_array($t[0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true))) {
            $depth++;
            continue;
        }
        if ($t === '}') {
            $depth--;
            continue;
        }
        if ($depth !== 0 || !is_array($t) || $t[0] !== T_FUNCTION) {
            continue;
        }
        $j = $i + 1;
        while ($j < $count && is_array($tokens[$j]) && $tokens[$j][0] === T_WHITESPACE) {
            $j++;
        }
        if (!is_array($tokens[$j]) || $tokens[$j][0] !== T_STRING || $tokens[$j][1] !== $name) {
            continue;
        }
        $source = '';
        $inner = 0;
        for ($k = $i; $k < $count; $k++) {
            $tk = $tokens[$k];
            $source .= is_array($tk) ? $tk[1] : $tk;
            if ($tk === '{' || (is_array($tk) && in_array($tk[0], [T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES], true))) {
                $inner++;
            } elseif ($tk === '}') {
                $inner--;
                if ($inner === 0) {
                    return $source;
                }
            }
        }
        fail("function $name() in the file never closes");
    }
    fail("no top-level function $name() in the file");
}

$dir = $argv[1] ?? fail('usage: php run-mailcow-init-db.php MAILCOW_DIR');
$initDb = "$dir/data/web/inc/init_db.inc.php";
$vars = "$dir/data/web/inc/vars.inc.php";
foreach ([$initDb, $vars] as $file) {
    if (!is_file($file)) {
        fail("missing $file");
    }
}

// vars.inc.php reads the request's Host header for its autodiscover settings; a CLI has none.
$_SERVER['HTTP_HOST'] = 'localhost';
$_SESSION = [];
// vars.inc.php also sets error_reporting(E_ERROR), as in production: mailcow's own migration
// raises warnings on a fresh database (fido2 declares no keys) that are no failure.
require $vars;
if (!isset($MAILBOX_DEFAULT_ATTRIBUTES) || !is_array($MAILBOX_DEFAULT_ATTRIBUTES)) {
    fail("$vars did not define \$MAILBOX_DEFAULT_ATTRIBUTES");
}

$env = static fn(string $k, string $default = ''): string => ($v = getenv($k)) === false ? $default : $v;
$name = $env('MCS_DB_NAME') ?: fail('MCS_DB_NAME is not set');
$socket = $env('MCS_DB_SOCKET');
$dsn = $socket !== ''
    ? "mysql:unix_socket=$socket;dbname=$name"
    : 'mysql:host=' . $env('MCS_DB_HOST', '127.0.0.1') . ';port=' . $env('MCS_DB_PORT', '3306') . ";dbname=$name";
// The options of mailcow's own connection (data/web/inc/prerequisites.inc.php); no charset in the
// DSN and no session settings, as there.
$pdo = new PDO($dsn, $env('MCS_DB_USER', 'root'), $env('MCS_DB_PASS'), [
    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
    PDO::ATTR_EMULATE_PREPARES => false,
]);

// Only ever on an empty database: on existing tables init_db drops the foreign keys of every
// table of that name on the whole server, in other databases too (its lookup in
// information_schema is not limited to the current schema; docs/mailcow-facts.md §1.1).
if (count($pdo->query('SHOW TABLES')->fetchAll()) !== 0) {
    fail("database $name is not empty: the harness runs mailcow's migration on empty databases only");
}

eval(top_level_function_source((string) file_get_contents($initDb), 'init_db_schema'));

// init_db_schema() reports on stdout under the CLI and swallows its own PDOException.
ob_start();
init_db_schema();
$out = (string) ob_get_clean();
if (!str_contains($out, 'DB initialization completed')) {
    fail('mailcow init_db_schema() did not complete: ' . trim($out));
}
echo trim($out), PHP_EOL;
