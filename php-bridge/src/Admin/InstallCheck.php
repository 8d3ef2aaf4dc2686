<?php

declare(strict_types=1);

namespace MailcowScim\Admin;

/**
 * Whether mailcow's files still carry what mailcow-scim needs (architecture §7: update.sh can
 * drop patch hunks silently, so the admin page must notice). It looks for the calls and values
 * themselves rather than for comment markers, so it tells what actually runs. `mailcow-scim
 * doctor` checks the same pieces from the host.
 */
final class InstallCheck
{
    /**
     * [id, file under the web root, pattern, what works when it is there, what breaks when it is not].
     *
     * @var list<array{0: string, 1: string, 2: string, 3: string, 4: string}>
     */
    public const CHECKS = [
        ['bridge-loaded', 'inc/vars.local.inc.php', '/mailcow-scim/', 'vars.local.inc.php loads the bridge', 'mailcow cannot reach the sidecar: SCIM users cannot log in and this page cannot work'],
        ['user-login', 'inc/functions.auth.inc.php', '/mailcow_scim_user_login\s*\(/', "user_login() hands 'scim' mailboxes to the bridge", 'SCIM users cannot log in with a password (user_login refuses their authsource)'],
        ['skip-template', 'inc/functions.auth.inc.php', '/mailcow_scim_skip_template/', "mailcow's LDAP and Keycloak checks can skip the template re-apply", 'the bridge still keeps templates from being re-applied (it empties the mappers during the check)'],
        ['verify-sso', 'inc/functions.inc.php', "/(\"generic-oidc\",\s*\"scim\"|mailcow_scim_verify_sso\s*\()/", "SSO (verify-sso) accepts 'scim' mailboxes", 'SCIM users cannot log in with SSO ("not of type OIDC")'],
        ['idp-edit', 'inc/functions.inc.php', "/`authsource` != 'scim'/", "identity provider settings can be saved while 'scim' mailboxes exist", 'saving or deleting the identity provider fails with "authsource in use"'],
        ['init-db-enum', 'inc/init_db.inc.php', "/\"authsource\"\s*=>\s*\"ENUM\([^\"]*'scim'/", "mailcow's schema declares 'scim' in mailbox.authsource", "the next mailcow schema update removes 'scim' again (the phpfpm hook and the sidecar put it back)"],
        ['mailbox-edit', 'inc/functions.mailbox.inc.php', "/'ldap',\s*'scim'/", "editing a 'scim' mailbox keeps it consistent", 'editing a SCIM mailbox in mailcow may force a password update'],
        ['edit-form', 'templates/edit/mailbox.twig', '/value="scim"/', "the edit-mailbox form keeps authsource 'scim'", "saving a SCIM mailbox in mailcow's edit form turns it into a mailcow mailbox"],
        ['admin-tab', 'templates/admin.twig', '/mailcow-scim-admin/', 'this page appears under System > Configuration > Access', 'this page is not linked from mailcow\'s menu'],
    ];

    public function __construct(private readonly string $webRoot)
    {
    }

    /** @return list<array{id: string, file: string, ok: bool, detail: string}> */
    public function run(): array
    {
        $results = [];
        $cache = [];
        foreach (self::CHECKS as [$id, $file, $pattern, $ok, $broken]) {
            $path = rtrim($this->webRoot, '/') . '/' . $file;
            $text = $cache[$file] ??= (is_readable($path) ? (string) file_get_contents($path) : null);
            if ($text === null) {
                $results[] = ['id' => $id, 'file' => $file, 'ok' => false, 'detail' => "$file is missing or unreadable: $broken"];
                continue;
            }
            $found = preg_match($pattern, $text) === 1;
            $results[] = ['id' => $id, 'file' => $file, 'ok' => $found, 'detail' => $found ? $ok : $broken];
        }

        return $results;
    }
}
