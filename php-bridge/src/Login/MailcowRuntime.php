<?php

declare(strict_types=1);

namespace MailcowScim\Login;

/**
 * mailcow's own login building blocks, as the bridge uses them: its credential checks, its
 * TFA helpers, its session and its alert list (data/web/inc/functions.auth.inc.php and
 * functions.inc.php; docs/mailcow-facts.md §3.3–§3.6). Everything global lives here, so the
 * login logic reads as plain steps.
 */
class MailcowRuntime
{
    /** The `$extra` flag the install patch adds to ldap_mbox_login() and keycloak_mbox_login_rest(). */
    public const SKIP_TEMPLATE_FLAG = 'mailcow_scim_skip_template';

    /** `$iam_provider` exists: mailcow built the provider object (for LDAP: the service bind worked). */
    public function identityProviderReady(): bool
    {
        return !empty($GLOBALS['iam_provider']);
    }

    /**
     * mailcow's LDAP check (`ldap_mbox_login`, a bind as the user), without its template
     * re-apply, which would overwrite quota, ACLs and `active` that SCIM owns
     * (docs/mailcow-facts.md §3.4, §3.10). Two guards: the install patch makes the function
     * honour `$extra['mailcow_scim_skip_template']`, and, should an update have dropped that
     * hunk, `$iam_settings['mappers']` is empty while it runs (with create=false the function
     * edits the mailbox only when the user's attribute value is found in that list).
     */
    public function checkLdapPassword(string $user, string $pass, bool $isInternal): bool
    {
        return $this->withoutTemplateMapping(
            static fn () => \ldap_mbox_login($user, $pass, ['is_internal' => $isInternal, 'create' => false, self::SKIP_TEMPLATE_FLAG => true]) !== false,
        );
    }

    /** mailcow's Keycloak check (`keycloak_mbox_login_rest`: Keycloak's mailcow_password), same rule as above. */
    public function checkKeycloakPassword(string $user, string $pass, bool $isInternal): bool
    {
        return $this->withoutTemplateMapping(
            static fn () => \keycloak_mbox_login_rest($user, $pass, ['is_internal' => $isInternal, 'create' => false, self::SKIP_TEMPLATE_FLAG => true]) !== false,
        );
    }

    /**
     * The mailbox row when it may log in right now: user kinds only, mailbox and domain active
     * (the re-read `user_login()` does after an IdP check).
     *
     * @return array<string, mixed>|null with `attributes` decoded
     */
    public function activeMailboxRow(string $user): ?array
    {
        $pdo = $GLOBALS['pdo'];
        $stmt = $pdo->prepare("SELECT `mailbox`.`username`, `mailbox`.`attributes` FROM `mailbox`
            INNER JOIN `domain` ON `mailbox`.`domain` = `domain`.`domain`
            WHERE `mailbox`.`kind` NOT REGEXP 'location|thing|group'
              AND `mailbox`.`active` = '1' AND `domain`.`active` = '1'
              AND `mailbox`.`username` = :user");
        $stmt->execute([':user' => $user]);
        $row = $stmt->fetch(\PDO::FETCH_ASSOC);
        if (!$row) {
            return null;
        }
        $row['attributes'] = json_decode((string) $row['attributes'], true) ?: [];

        return $row;
    }

    /** @return list<array<string, mixed>> the user's active TFA authenticators (`get_tfa`) */
    public function tfaAuthenticators(string $user): array
    {
        $tfa = \get_tfa($user);
        $list = \is_array($tfa) ? ($tfa['additional'] ?? []) : [];

        return \is_array($list) ? array_values($list) : [];
    }

    /** Re-enables authenticators "disabled for the next login", as every successful mailcow login does. */
    public function reactivateTfa(string $user): void
    {
        $stmt = $GLOBALS['pdo']->prepare("UPDATE `tfa` SET `active` = '1' WHERE `username` = :user");
        $stmt->execute([':user' => $user]);
    }

    public function tfaExists(string $user): bool
    {
        return (bool) \tfa_exists($user);
    }

    /**
     * Adds an alert for the login page and mailcow's log (`$_SESSION['return']`, §4.3).
     *
     * @param list<mixed> $log
     * @param string|list<mixed> $msg a mailcow language key, `[key, args…]`, or plain text
     */
    public function report(string $type, array $log, string|array $msg): void
    {
        $_SESSION['return'][] = ['type' => $type, 'log' => $log, 'msg' => $msg];
    }

    /**
     * A line in mailcow's log without an alert: mailcow's logger() called with the entry, which
     * it writes as it writes `$_SESSION['return']` entries, but shows no alert box for
     * (functions.inc.php, logger()). Without logger() (a caller outside mailcow's pages), PHP's log.
     *
     * @param list<mixed> $log
     * @param string|list<mixed> $msg
     */
    public function log(string $type, array $log, string|array $msg): void
    {
        if (\function_exists('logger')) {
            \logger(['return' => [['type' => $type, 'log' => $log, 'msg' => $msg]]]);

            return;
        }
        $this->logError(implode(' ', array_map(static fn (mixed $v): string => \is_scalar($v) ? (string) $v : (string) json_encode($v), $log)));
    }

    /** @param array<string, mixed> $values */
    public function setSession(array $values): void
    {
        foreach ($values as $k => $v) {
            if ($v === null) {
                unset($_SESSION[$k]);
            } else {
                $_SESSION[$k] = $v;
            }
        }
    }

    public function setUserLoggedInSession(string $user): void
    {
        \set_user_loggedin_session($user);
    }

    public function clearSession(): void
    {
        \clear_session();
    }

    public function logError(string $message): void
    {
        error_log('mailcow-scim: ' . $message);
    }

    /**
     * @template T
     * @param callable(): T $fn
     * @return T
     */
    private function withoutTemplateMapping(callable $fn): mixed
    {
        $settings = &$GLOBALS['iam_settings'];
        $had = \is_array($settings) && \array_key_exists('mappers', $settings);
        $saved = $had ? $settings['mappers'] : null;
        if (!\is_array($settings)) {
            $settings = [];
        }
        $settings['mappers'] = [];
        try {
            return $fn();
        } finally {
            if ($had) {
                $settings['mappers'] = $saved;
            } else {
                unset($settings['mappers']);
            }
        }
    }
}
