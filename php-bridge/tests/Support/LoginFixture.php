<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Support;

use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Tests\Double\MailcowDouble;
use PHPUnit\Framework\TestCase;

/** mailcow's state for a login test: identity provider rows, mailboxes, TFA, globals. */
final class LoginFixture
{
    /** identity_provider rows as identity_provider('edit') writes them (docs/mailcow-facts.md A.3). */
    public const IDP = [
        'ldap' => ['authsource' => 'ldap', 'host' => '127.0.0.1', 'port' => '389', 'basedn' => 'dc=example,dc=org', 'binddn' => 'cn=admin,dc=example,dc=org', 'bindpass' => 'x', 'username_field' => 'mail', 'attribute_field' => 'title', 'filter' => '', 'periodic_sync' => '0', 'import_users' => '0', 'sync_interval' => '15', 'login_provisioning' => ''],
        'keycloak' => ['authsource' => 'keycloak', 'server_url' => 'https://kc.example.org', 'realm' => 'mail', 'client_id' => 'mailcow', 'client_secret' => 's', 'redirect_url' => 'https://mail.example.org', 'version' => '26.0.0', 'mailpassword_flow' => '1', 'periodic_sync' => '0', 'import_users' => '0', 'sync_interval' => '15', 'login_provisioning' => ''],
        'keycloak-sso' => ['authsource' => 'keycloak', 'server_url' => 'https://kc.example.org', 'realm' => 'mail', 'client_id' => 'mailcow', 'client_secret' => 's', 'redirect_url' => 'https://mail.example.org', 'version' => '26.0.0', 'mailpassword_flow' => '0', 'login_provisioning' => ''],
        'generic-oidc' => ['authsource' => 'generic-oidc', 'authorize_url' => 'https://idp.example.org/a', 'token_url' => 'https://idp.example.org/t', 'userinfo_url' => 'https://idp.example.org/u', 'client_id' => 'mailcow', 'client_secret' => 's', 'redirect_url' => 'https://mail.example.org', 'client_scopes' => 'openid email', 'login_provisioning' => ''],
    ];

    public readonly \PDO $pdo;
    /** @var list<string> */
    private array $mailboxes = [];

    public function __construct(private readonly TestCase $test, ?string $socket = null, int $deadlineMs = 2000)
    {
        $this->pdo = TestEnv::pdo($test);
        MailcowDouble::reset();
        $GLOBALS['pdo'] = $this->pdo;
        $GLOBALS['iam_provider'] = new \stdClass();
        // The user's IdP attribute "staff" maps to a template: mailcow would re-apply it at login.
        $GLOBALS['iam_settings'] = ['mappers' => ['staff'], 'templates' => ['Staff template']];
        mailcow_scim_bridge(new Bridge(new Config($socket ?? TestEnv::rpcSocket($test), $deadlineMs)));
        $this->pdo->exec('DELETE FROM identity_provider');
    }

    /** @param string|null $kind a key of IDP, or null for no identity provider */
    public function identityProvider(?string $kind): self
    {
        $this->pdo->exec('DELETE FROM identity_provider');
        foreach ($kind === null ? [] : self::IDP[$kind] as $k => $v) {
            $this->pdo->prepare('INSERT INTO identity_provider (`key`, `value`) VALUES (?, ?)')->execute([$k, $v]);
        }
        $GLOBALS['iam_settings']['authsource'] = $kind === null ? null : self::IDP[$kind]['authsource'];

        return $this;
    }

    /**
     * A mailbox with mailcow's attribute keys; returns its address (unique per call).
     *
     * @param array<string, string> $attributes
     */
    public function mailbox(string $authsource = 'scim', int $active = 1, array $attributes = [], string $domain = 'example.org', string $password = ''): string
    {
        $local = 'u' . bin2hex(random_bytes(4));
        $user = "$local@$domain";
        $attrs = ['force_pw_update' => '0', 'force_tfa' => '0', 'sogo_access' => '1', 'imap_access' => '1', 'pop3_access' => '0', 'smtp_access' => '1', 'sieve_access' => '1', 'eas_access' => '1', 'dav_access' => '1', 'mailbox_format' => 'maildir:'];
        $this->pdo->prepare("INSERT INTO mailbox (username, password, name, local_part, domain, attributes, authsource, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            ->execute([$user, $password, $local, $local, $domain, json_encode($attributes + $attrs), $authsource, $active]);
        $this->mailboxes[] = $user;

        return $user;
    }

    public function tfa(string $user, bool $active = true): void
    {
        $this->pdo->prepare("INSERT INTO tfa (key_id, username, authmech, secret, active) VALUES ('phone', ?, 'totp', 'S', ?)")->execute([$user, $active ? 1 : 0]);
    }

    public function tfaActive(string $user): bool
    {
        $stmt = $this->pdo->prepare('SELECT active FROM tfa WHERE username = ?');
        $stmt->execute([$user]);

        return (int) $stmt->fetchColumn() === 1;
    }

    public function setActive(string $user, int $active): void
    {
        $this->pdo->prepare('UPDATE mailbox SET active = ? WHERE username = ?')->execute([$active, $user]);
    }

    /** @return list<array{type: string, log: mixed, msg: mixed}> */
    public static function alerts(): array
    {
        return $_SESSION['return'] ?? [];
    }

    /** The user-facing texts of the alerts of one type. */
    public static function messages(string $type): array
    {
        return array_values(array_map(static fn ($a) => $a['msg'], array_filter(self::alerts(), static fn ($a) => $a['type'] === $type)));
    }

    public function cleanUp(): void
    {
        foreach ($this->mailboxes as $m) {
            $this->pdo->prepare('DELETE FROM tfa WHERE username = ?')->execute([$m]);
            $this->pdo->prepare('DELETE FROM mailbox WHERE username = ?')->execute([$m]);
        }
        $this->pdo->exec('DELETE FROM identity_provider');
    }
}
