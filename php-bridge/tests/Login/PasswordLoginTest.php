<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Login;

use MailcowScim\Login\ScimLogin;
use MailcowScim\Tests\Double\MailcowDouble;
use MailcowScim\Tests\Support\LoginFixture;
use MailcowScim\Tests\Support\TestEnv;
use PHPUnit\Framework\TestCase;

/**
 * mailcow's `user_login()` `case 'scim'`: the sidecar's route, mailcow's own credential check
 * without the template re-apply, then mailcow's active, domain, service and TFA steps
 * (docs/architecture.md §6; docs/mailcow-facts.md §3.3–§3.6, §3.10). Real sidecar, real MariaDB,
 * mailcow's functions as doubles.
 */
final class PasswordLoginTest extends TestCase
{
    private LoginFixture $f;

    protected function setUp(): void
    {
        $this->f = new LoginFixture($this);
    }

    protected function tearDown(): void
    {
        $this->f->cleanUp();
    }

    private const UI = ['service' => 'MAILCOWUI'];
    private const IMAP = ['is_internal' => true, 'service' => 'IMAP'];

    public function testLdapChecksThePasswordWithMailcowsLdapLoginWithoutTemplateSync(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$user] = 'right';
        MailcowDouble::$idpTemplates[$user] = 'staff';

        $this->assertSame('user', mailcow_scim_user_login($user, 'right', self::UI));
        $this->assertSame([['logged_in_as', $user]], LoginFixture::messages('success'));
        [$function, $checked, $extra] = MailcowDouble::$credentialChecks[0];
        $this->assertSame(['ldap_mbox_login', $user], [$function, $checked]);
        $this->assertFalse($extra['create']);
        $this->assertTrue($extra['mailcow_scim_skip_template']);
        $this->assertSame([], MailcowDouble::$mailboxCalls, 'no mailbox_from_template edit');
        $this->assertSame(['staff'], $GLOBALS['iam_settings']['mappers'], 'the mappers are restored');
    }

    public function testTemplateSyncStaysOffWhenTheInstallPatchWasLost(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$user] = 'right';
        MailcowDouble::$idpTemplates[$user] = 'staff';
        MailcowDouble::$skipFlagPatched = false;

        $this->assertSame('user', mailcow_scim_user_login($user, 'right', self::IMAP));
        $this->assertSame([], MailcowDouble::$mailboxCalls);
        $this->assertSame(['staff'], $GLOBALS['iam_settings']['mappers']);
        // The double does re-apply templates for others, so the test would notice a regression.
        mailbox('probe', 'probe');
        $this->assertCount(1, MailcowDouble::$mailboxCalls);
    }

    public function testWrongPasswordFails(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$user] = 'right';
        $this->assertFalse(mailcow_scim_user_login($user, 'wrong', self::UI));
        $this->assertSame([], LoginFixture::messages('success'));
    }

    public function testKeycloakPasswordFlow(): void
    {
        $this->f->identityProvider('keycloak');
        $user = $this->f->mailbox();
        MailcowDouble::$keycloakPasswords[$user] = 'kc-pass';
        MailcowDouble::$idpTemplates[$user] = 'staff';
        $this->assertSame('user', mailcow_scim_user_login($user, 'kc-pass', self::IMAP));
        $this->assertSame('keycloak_mbox_login_rest', MailcowDouble::$credentialChecks[0][0]);
        $this->assertSame([], MailcowDouble::$mailboxCalls);
        $this->assertFalse(mailcow_scim_user_login($user, 'nope', self::IMAP));
    }

    /** @return iterable<string, array{0: string}> */
    public static function ssoOnlyProviders(): iterable
    {
        yield 'Keycloak without mailpassword_flow' => ['keycloak-sso'];
        yield 'generic OIDC' => ['generic-oidc'];
    }

    /** @dataProvider ssoOnlyProviders */
    public function testSsoOnlyProvidersRefuseThePasswordAndPointToSso(string $idp): void
    {
        $this->f->identityProvider($idp);
        $user = $this->f->mailbox();
        MailcowDouble::$keycloakPasswords[$user] = 'pw';
        $this->assertFalse(mailcow_scim_user_login($user, 'pw', self::UI));
        $this->assertSame([], MailcowDouble::$credentialChecks, 'no password is checked');
        $danger = LoginFixture::messages('danger');
        $this->assertCount(1, $danger);
        $this->assertStringContainsString('single sign-on', $danger[0]);
        $this->assertStringContainsString('app password', $danger[0]);
        // Mail clients get no text, just the refusal.
        $_SESSION = [];
        $this->assertFalse(mailcow_scim_user_login($user, 'pw', self::IMAP));
        $this->assertSame([], LoginFixture::alerts());
    }

    public function testNoIdentityProviderMeansNoLoginAndSaysSo(): void
    {
        $this->f->identityProvider(null);
        $user = $this->f->mailbox();
        $this->assertFalse(mailcow_scim_user_login($user, 'pw', self::UI));
        $this->assertSame([], MailcowDouble::$credentialChecks);
        $this->assertStringContainsString('not set up on this mail server', LoginFixture::messages('danger')[0]);
        $this->assertStringContainsString('Identity Provider', LoginFixture::alerts()[0]['log'][3]);
    }

    /** @return iterable<string, array{0: int, 1: string, 2: array<string, string>, 3: array<string, mixed>}> */
    public static function refusedMailboxes(): iterable
    {
        yield 'deactivated (active=2)' => [2, 'example.org', [], self::UI];
        yield 'inactive (active=0)' => [0, 'example.org', [], self::UI];
        yield 'inactive domain' => [1, 'off.example.org', [], self::UI];
        yield 'POP3 access off' => [1, 'example.org', ['pop3_access' => '0'], ['is_internal' => true, 'service' => 'POP3']];
    }

    /**
     * @dataProvider refusedMailboxes
     * @param array<string, string> $attrs
     * @param array<string, mixed> $extra
     */
    public function testRefusedMailboxesNeverReachTheIdentityProvider(int $active, string $domain, array $attrs, array $extra): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox('scim', $active, $attrs, $domain);
        MailcowDouble::$ldapPasswords[$user] = 'right';
        $this->assertFalse(mailcow_scim_user_login($user, 'right', $extra));
        $this->assertSame([], MailcowDouble::$credentialChecks);
        foreach (LoginFixture::messages('danger') as $m) {
            $this->assertSame('login_failed', $m, 'no hint about the account\'s state before the password is known');
        }
    }

    /** @return iterable<string, array{0: int, 1: string, 2: string}> */
    public static function refusedWebLogins(): iterable
    {
        yield 'deactivated by SCIM (active=2)' => [2, 'example.org', 'login is disabled'];
        yield 'inactive (active=0)' => [0, 'example.org', 'the mailbox is inactive'];
        yield 'inactive domain' => [1, 'off.example.org', 'its domain is inactive'];
    }

    /**
     * Through mailcow's check_login(), which adds its own 'login_failed' alert whenever
     * user_login() fails a web login: the page shows that one alert, not the bridge's as well,
     * and the bridge's reason still reaches mailcow's log.
     *
     * @dataProvider refusedWebLogins
     */
    public function testARefusedWebLoginShowsTheFailureAlertOnce(int $active, string $domain, string $reason): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox('scim', $active, [], $domain);
        MailcowDouble::$ldapPasswords[$user] = 'right';
        $this->assertFalse(check_login($user, 'right', ['role' => 'user', 'service' => 'MAILCOWUI']));
        $this->assertSame([['type' => 'danger', 'log' => ['check_login', $user, '*'], 'msg' => 'login_failed']], LoginFixture::alerts());
        $logged = array_map(static fn (array $e): string => json_encode($e['log']), MailcowDouble::$logged);
        $this->assertCount(1, $logged);
        $this->assertStringContainsString($reason, $logged[0]);
        $this->assertStringContainsString('mailcow_scim_user_login', $logged[0]);
    }

    public function testARefusalWithItsOwnMessageKeepsIt(): void
    {
        // Keycloak without the password flow: the user is told to use SSO; mailcow adds its own line.
        $this->f->identityProvider('keycloak-sso');
        $user = $this->f->mailbox();
        $this->assertFalse(check_login($user, 'x', ['role' => 'user', 'service' => 'MAILCOWUI']));
        $danger = LoginFixture::messages('danger');
        $this->assertCount(2, $danger);
        $this->assertStringContainsString('single sign-on', $danger[0]);
        $this->assertSame('login_failed', $danger[1]);
    }

    public function testMailboxDeactivatedDuringTheCheckIsRefused(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$user] = 'right';
        // The IdP takes its time; meanwhile SCIM deactivates the user.
        $login = new class ($this->f, $user) extends \MailcowScim\Login\MailcowRuntime {
            public function __construct(private readonly LoginFixture $f, private readonly string $user)
            {
            }

            public function checkLdapPassword(string $user, string $pass, bool $isInternal): bool
            {
                $ok = parent::checkLdapPassword($user, $pass, $isInternal);
                $this->f->setActive($this->user, 2);

                return $ok;
            }
        };
        $scim = new ScimLogin(mailcow_scim_bridge()->login(), $login, 2000);
        $this->assertFalse($scim->passwordLogin($user, 'right', self::UI));
        $this->assertCount(1, MailcowDouble::$credentialChecks);
    }

    public function testTfaPendingForTheWebUiButNotForMailClients(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$user] = 'right';
        $this->f->tfa($user);

        $this->assertSame('pending', mailcow_scim_user_login($user, 'right', self::UI));
        $this->assertSame($user, $_SESSION['pending_mailcow_cc_username']);
        $this->assertSame('user', $_SESSION['pending_mailcow_cc_role']);
        $this->assertSame('totp', $_SESSION['pending_tfa_methods'][0]['authmech']);

        $_SESSION = [];
        $this->assertSame('user', mailcow_scim_user_login($user, 'right', self::IMAP));
        $this->assertArrayNotHasKey('pending_mailcow_cc_username', $_SESSION);
    }

    public function testSuccessfulLoginReactivatesTfaAndHonoursForceTfa(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox('scim', 1, ['force_tfa' => '1']);
        MailcowDouble::$ldapPasswords[$user] = 'right';
        $this->assertSame('user', mailcow_scim_user_login($user, 'right', self::UI));
        $this->assertTrue($_SESSION['pending_tfa_setup'], 'force_tfa without TFA asks to set it up');

        $other = $this->f->mailbox();
        MailcowDouble::$ldapPasswords[$other] = 'right';
        $this->f->tfa($other, false); // "disabled for the next login"
        $_SESSION = [];
        $this->assertSame('user', mailcow_scim_user_login($other, 'right', self::UI));
        $this->assertTrue($this->f->tfaActive($other));
        $this->assertArrayNotHasKey('pending_tfa_setup', $_SESSION);
    }

    public function testIdentityProviderNotConnected(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        $GLOBALS['iam_provider'] = null; // mailcow could not bind to LDAP at init
        $this->assertFalse(mailcow_scim_user_login($user, 'pw', self::UI));
        $this->assertSame([], MailcowDouble::$credentialChecks);
        $this->assertSame([ScimLogin::IDP_UNREACHABLE_MESSAGE], LoginFixture::messages('danger'));
    }

    public function testNonScimMailboxesNeverAskTheSidecar(): void
    {
        // The sidecar is down, yet a mailcow mailbox logs in through mailcow's own case.
        $down = new LoginFixture($this, '/nonexistent/rpc.sock');
        $user = $down->mailbox('mailcow', 1, [], 'example.org', password_hash('pw', PASSWORD_DEFAULT));
        $started = microtime(true);
        $this->assertSame('user', user_login($user, 'pw', self::UI));
        $this->assertLessThan(0.5, microtime(true) - $started);
        $down->cleanUp();
    }

    public function testSidecarDownGivesScimUsersAClearError(): void
    {
        $down = new LoginFixture($this, '/nonexistent/rpc.sock');
        $user = $down->mailbox();
        $log = tempnam(sys_get_temp_dir(), 'mcs-log');
        $previous = ini_set('error_log', $log);
        try {
            $this->assertFalse(user_login($user, 'pw', self::UI));
            $this->assertSame([ScimLogin::UNAVAILABLE_MESSAGE], LoginFixture::messages('danger'));
            $_SESSION = [];
            $this->assertFalse(user_login($user, 'pw', self::IMAP));
            $this->assertSame([], LoginFixture::alerts(), 'mail clients get no text');
            $this->assertStringContainsString("mailcow-scim: login routing for $user failed", (string) file_get_contents($log));
            $this->assertStringContainsString('UNAVAILABLE', (string) file_get_contents($log));
        } finally {
            ini_set('error_log', (string) $previous);
            @unlink($log);
            $down->cleanUp();
        }
    }

    public function testSlowSidecarCostsAtMostTheDeadline(): void
    {
        // The broken server never answers RouteLogin: the login gives up after its deadline.
        $slow = new LoginFixture($this, TestEnv::badSocket($this), 400);
        $user = $slow->mailbox();
        $previous = ini_set('error_log', '/dev/null');
        try {
            $started = microtime(true);
            $this->assertFalse(user_login($user, 'pw', self::IMAP));
            $this->assertLessThan(1.5, microtime(true) - $started);
        } finally {
            ini_set('error_log', (string) $previous);
            $slow->cleanUp();
        }
    }
}
