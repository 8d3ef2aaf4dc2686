<?php
/*
 * Test doubles of the mailcow functions the bridge calls, with mailcow's names and signatures
 * (data/web/inc/functions.auth.inc.php and functions.inc.php at mailcow 06424670). They keep
 * the behaviour the bridge depends on, written from docs/mailcow-facts.md §3.3–§3.6:
 *
 *  - ldap_mbox_login / keycloak_mbox_login_rest: false without `$iam_provider`; the password
 *    check; with create=false, a "template re-apply" through mailbox('edit',
 *    'mailbox_from_template') when the user's template attribute is found in
 *    `$iam_settings['mappers']` (skipped for `$extra['mailcow_scim_skip_template']` only when
 *    MailcowDouble::$skipFlagPatched says the install patch is in place).
 *  - get_tfa / tfa_exists: mailcow's queries against the real `tfa` table through `$pdo`.
 *  - set_user_loggedin_session / clear_session: the session keys mailcow sets and clears.
 *  - mailbox(): records calls (the template re-apply the bridge must prevent).
 *  - check_login(): the web and Dovecot entry point, reduced to the user path: user_login(), and
 *    for a failed non-internal login mailcow's own 'login_failed' alert (mailcow-facts.md §3.2,
 *    functions.auth.inc.php `check_login`).
 *  - logger(): mailcow's log of `return` entries (written without an alert box when called with
 *    data, as mailcow's own comment on logger() describes); records what it was given.
 */

declare(strict_types=1);

namespace MailcowScim\Tests\Double {
    final class MailcowDouble
    {
        /** @var array<string, string> username => password the "IdP" accepts */
        public static array $ldapPasswords = [];
        /** @var array<string, string> */
        public static array $keycloakPasswords = [];
        /** @var array<string, string> username => the IdP's template attribute (mailcow_template / attribute_field) */
        public static array $idpTemplates = [];
        /** Whether the install patch that honours `mailcow_scim_skip_template` is in place. */
        public static bool $skipFlagPatched = true;
        /** @var list<array{0: string, 1: string, 2: mixed}> mailbox() calls */
        public static array $mailboxCalls = [];
        /** @var list<array{0: string, 1: string, 2: array<string, mixed>}> credential checks: [function, user, extra] */
        public static array $credentialChecks = [];
        public static int $clearedSessions = 0;
        /** @var list<array<string, mixed>> entries logger() was given */
        public static array $logged = [];

        public static function reset(): void
        {
            self::$ldapPasswords = [];
            self::$keycloakPasswords = [];
            self::$idpTemplates = [];
            self::$skipFlagPatched = true;
            self::$mailboxCalls = [];
            self::$credentialChecks = [];
            self::$clearedSessions = 0;
            self::$logged = [];
            $_SESSION = [];
        }

        /** @param array<string, mixed>|null $extra */
        public static function idpCheck(string $function, array $passwords, string $user, string $pass, ?array $extra): string|false
        {
            self::$credentialChecks[] = [$function, $user, $extra ?? []];
            if (empty($GLOBALS['iam_provider'])) {
                return false;
            }
            if (!isset($passwords[$user]) || !hash_equals($passwords[$user], $pass)) {
                return false;
            }
            $template = self::$idpTemplates[$user] ?? null;
            $mapperKey = array_search($template, $GLOBALS['iam_settings']['mappers'], true);
            if (empty($extra['create'])) {
                $skip = self::$skipFlagPatched && !empty($extra['mailcow_scim_skip_template']);
                if ($mapperKey !== false && !$skip) {
                    \mailbox('edit', 'mailbox_from_template', [
                        'username' => $user,
                        'name' => 'From IdP',
                        'template' => $GLOBALS['iam_settings']['templates'][$mapperKey],
                    ]);
                }

                return 'user';
            }

            return false;
        }
    }
}

namespace {
    use MailcowScim\Tests\Double\MailcowDouble;

    function ldap_mbox_login($user, $pass, $extra = null)
    {
        return MailcowDouble::idpCheck(__FUNCTION__, MailcowDouble::$ldapPasswords, $user, $pass, $extra);
    }

    function keycloak_mbox_login_rest($user, $pass, $extra = null)
    {
        return MailcowDouble::idpCheck(__FUNCTION__, MailcowDouble::$keycloakPasswords, $user, $pass, $extra);
    }

    function mailbox($_action, $_type, $_data = null, $_extra = null)
    {
        MailcowDouble::$mailboxCalls[] = [$_action, $_type, $_data];

        return true;
    }

    function get_tfa($username = null, $id = null)
    {
        global $pdo;
        if (empty($username)) {
            return false;
        }
        $stmt = $pdo->prepare("SELECT `id`, `key_id`, `authmech` FROM `tfa` WHERE `username` = :username AND `active` = '1'");
        $stmt->execute([':username' => $username]);
        $results = $stmt->fetchAll(PDO::FETCH_ASSOC);
        if (count($results) === 0) {
            return ['name' => 'none', 'pretty' => '-', 'additional' => []];
        }

        return ['additional' => $results];
    }

    function tfa_exists($username)
    {
        global $pdo;
        $stmt = $pdo->prepare('SELECT COUNT(*) AS count FROM `tfa` WHERE `username` = :username');
        $stmt->execute([':username' => $username]);

        return $stmt->fetch(PDO::FETCH_ASSOC)['count'] > 0;
    }

    function set_user_loggedin_session($user)
    {
        $_SESSION['mailcow_cc_username'] = $user;
        $_SESSION['mailcow_cc_role'] = 'user';
        $_SESSION['sogo-sso-user-allowed'][] = $user;
        unset($_SESSION['pending_mailcow_cc_username'], $_SESSION['pending_mailcow_cc_role'], $_SESSION['pending_tfa_methods']);
    }

    /** @param array<string, mixed>|false $_data */
    function logger($_data = false)
    {
        $_data = $_data === false ? $_SESSION : $_data;
        foreach ($_data['return'] ?? [] as $entry) {
            MailcowDouble::$logged[] = $entry;
        }
    }

    function clear_session()
    {
        MailcowDouble::$clearedSessions++;
        $_SESSION = [];
    }
}

namespace {
    /** mailcow's check_login() for role "user": user_login(), then its own alert for a failed UI login. */
    function check_login($user, $pass, $extra = null)
    {
        $is_internal = $extra['is_internal'] ?? false;
        $extra['service'] = !isset($extra['service']) ? 'NONE' : $extra['service'];
        $result = user_login($user, $pass, $extra);
        if ($result !== false) {
            return $result;
        }
        if ($is_internal == true) {
            return false;
        }
        $_SESSION['return'][] = ['type' => 'danger', 'log' => ['check_login', $user, '*'], 'msg' => 'login_failed'];

        return false;
    }

    /**
     * A small double of mailcow's user_login() with the install patch's `case 'scim'` hunk as
     * server/src/install/hunks.ts writes it, and the `mailcow` case reduced to its essentials:
     * enough to show that SCIM routing leaves other mailboxes alone.
     */
    function user_login($user, $pass, $extra = null)
    {
        global $pdo;
        $extra['service'] = !isset($extra['service']) ? 'NONE' : $extra['service'];
        $stmt = $pdo->prepare("SELECT mailbox.*, domain.active AS d_active FROM `mailbox`
            INNER JOIN domain on mailbox.domain = domain.domain
            WHERE `kind` NOT REGEXP 'location|thing|group' AND `username` = :user");
        $stmt->execute([':user' => $user]);
        $row = $stmt->fetch(PDO::FETCH_ASSOC);
        if (!$row) {
            return false;
        }
        $row['attributes'] = json_decode($row['attributes'], true);
        if ($extra['service'] != 'NONE') {
            $key = strtolower($extra['service']) . '_access';
            if (isset($row['attributes'][$key]) && $row['attributes'][$key] != '1') {
                return false;
            }
        }
        switch ($row['authsource']) {
            case 'scim':
                // SCIM-managed mailbox: the mailcow-scim bridge routes the login (false without the bridge)
                return function_exists('mailcow_scim_user_login') ? mailcow_scim_user_login($user, $pass, $extra, $row) : false;
            case 'mailcow':
                if ($row['active'] != 1 || $row['d_active'] != 1) {
                    return false;
                }

                return password_verify($pass, $row['password']) ? 'user' : false;
        }

        return false;
    }
}
