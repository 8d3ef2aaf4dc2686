<?php
/*
 * Test double of mailcow's login page (data/web/index.php with inc/triggers.user.inc.php and
 * inc/footer.inc.php): a POST of login_user/pass_user goes through check_login() with role
 * "user" and service MAILCOWUI (mailcow-facts.md §3.2), and the page shows $_SESSION['return']
 * as mailcow's footer does: each entry's msg through the language strings, one alert box per
 * type, the messages of a type joined by <hr>. mailcow's login functions are the PHPUnit
 * doubles (MCS_MAILCOW_DOUBLE), on the real database (MCS_TEST_DB_*), with the real bridge.
 */

declare(strict_types=1);

require $_SERVER['DOCUMENT_ROOT'] . '/inc/prerequisites.inc.php';
$double = getenv('MCS_MAILCOW_DOUBLE');
if (!$double) {
    // The admin page tests need no login page: the start page after a user's login.
    echo '<!DOCTYPE html><title>mailcow UI (test frame)</title>';
    exit;
}
require_once $double;

$pdo = new PDO((string) getenv('MCS_TEST_DB_DSN'), (string) getenv('MCS_TEST_DB_USER'), (string) getenv('MCS_TEST_DB_PASS'));
$iam_provider = new stdClass();
$iam_settings = ['mappers' => [], 'templates' => []];
// The strings of mailcow's lang.en-gb.json these alerts use.
$lang = ['danger' => ['login_failed' => 'Login failed']];

if (isset($_POST['login_user'], $_POST['pass_user'])) {
    $as = check_login(strtolower(trim((string) $_POST['login_user'])), (string) $_POST['pass_user'], ['role' => 'user', 'service' => 'MAILCOWUI']);
}
$alerts = [];
foreach ($_SESSION['return'] ?? [] as $r) {
    $msg = is_array($r['msg']) ? vsprintf($lang[$r['type']][array_shift($r['msg'])] ?? '', $r['msg']) : ($lang[$r['type']][$r['msg']] ?? $r['msg']);
    $alerts[$r['type']][] = htmlspecialchars((string) $msg, ENT_QUOTES);
}
unset($_SESSION['return']);
$logged = \MailcowScim\Tests\Double\MailcowDouble::$logged;
?><!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>mailcow UI (test frame)</title></head>
<body>
<?php foreach ($alerts as $type => $messages): ?>
<div class="alert alert-<?= htmlspecialchars($type, ENT_QUOTES) ?>" role="alert"><?= implode('<hr class="alert-hr">', $messages) ?></div>
<?php endforeach; ?>
<form method="post">
  <input name="login_user"><input name="pass_user" type="password"><button type="submit">Login</button>
</form>
<script type="application/json" id="logged"><?= json_encode($logged, JSON_HEX_TAG) ?></script>
</body>
</html>
