<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Login;

use MailcowScim\Login\ScimLogin;
use MailcowScim\Tests\Double\MailcowDouble;
use MailcowScim\Tests\Support\LoginFixture;
use PHPUnit\Framework\TestCase;

/**
 * `mailcow_scim_verify_sso()`: the 'scim' branch of verify-sso when it asks the sidecar. The
 * IdP has authenticated the person; the mailbox must be active, and no template is applied.
 */
final class SsoLoginTest extends TestCase
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

    public function testAcceptsScimMailboxesForOidcProviders(): void
    {
        foreach (['generic-oidc', 'keycloak', 'keycloak-sso'] as $idp) {
            $this->f->identityProvider($idp);
            $user = $this->f->mailbox();
            MailcowDouble::reset();
            $this->assertTrue(mailcow_scim_verify_sso(['email' => strtoupper($user), 'mailcow_template' => 'staff'], 'access', 'refresh'), $idp);
            $this->assertSame($user, $_SESSION['mailcow_cc_username'], 'the stored mailbox name, not the claim\'s case');
            $this->assertSame('user', $_SESSION['mailcow_cc_role']);
            $this->assertSame('access', $_SESSION['iam_token']);
            $this->assertSame('refresh', $_SESSION['iam_refresh_token']);
            $this->assertSame([], MailcowDouble::$mailboxCalls);
        }
    }

    public function testTellsAnAuthenticatedUserWhyTheirMailboxIsRefused(): void
    {
        $this->f->identityProvider('generic-oidc');
        $user = $this->f->mailbox('scim', 2);
        $this->assertFalse(mailcow_scim_verify_sso(['email' => $user]));
        $this->assertSame(1, MailcowDouble::$clearedSessions);
        $this->assertStringContainsString('mail is still delivered', LoginFixture::messages('danger')[0]);
        $this->assertArrayNotHasKey('mailcow_cc_username', $_SESSION);
    }

    public function testRefusesWhenTheProviderHasNoSso(): void
    {
        $this->f->identityProvider('ldap');
        $user = $this->f->mailbox();
        $this->assertFalse(mailcow_scim_verify_sso(['email' => $user]));
        $this->assertStringContainsString('Single sign-on is not available', LoginFixture::messages('danger')[0]);
    }

    public function testSidecarDown(): void
    {
        $down = new LoginFixture($this, '/nonexistent/rpc.sock');
        $previous = ini_set('error_log', '/dev/null');
        try {
            $this->assertFalse(mailcow_scim_verify_sso(['email' => 'someone@example.org']));
            $this->assertSame([ScimLogin::UNAVAILABLE_MESSAGE], LoginFixture::messages('danger'));
        } finally {
            ini_set('error_log', (string) $previous);
        }
    }
}
