<?php

declare(strict_types=1);

namespace MailcowScim\Login;

use MailcowScim\Gen\Mailcow\Scim\V1\LoginFlow;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginRoute;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginServiceClient;
use MailcowScim\Gen\Mailcow\Scim\V1\RouteLoginRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\RouteLoginResponse;
use MailcowScim\Grpc\GrpcException;

/**
 * Logins of mailboxes whose authsource is 'scim' (docs/architecture.md §6): mailcow's `user_login()`
 * `case 'scim'` and the 'scim' branch of `identity_provider('verify-sso')`. The sidecar chooses
 * the route (LoginService.RouteLogin); mailcow's own code checks the credential; then the same
 * active, domain, service-access and TFA steps as mailcow's `ldap` case
 * (docs/mailcow-facts.md §3.3, §3.6, §3.10).
 */
final class ScimLogin
{
    /** Shown when the sidecar does not answer; mail clients (internal logins) see no text. */
    public const UNAVAILABLE_MESSAGE = 'Sign-in for this account is temporarily unavailable because the provisioning service did not answer. Please try again in a moment.';
    public const IDP_UNREACHABLE_MESSAGE = 'Sign-in for this account is temporarily unavailable because the identity provider cannot be reached. Please try again later.';

    public function __construct(
        private readonly LoginServiceClient $client,
        private readonly MailcowRuntime $mailcow,
        private readonly int $deadlineMs,
    ) {
    }

    /**
     * `user_login($user, $pass, $extra)` for a 'scim' mailbox.
     *
     * @param array<string, mixed>|null $extra mailcow's: is_internal, service
     * @return string|false "user", "pending" (TFA to confirm) or false, as user_login() returns
     */
    public function passwordLogin(string $user, string $pass, ?array $extra = null): string|false
    {
        $isInternal = !empty($extra['is_internal']);
        $service = (string) ($extra['service'] ?? 'NONE');
        $decision = $this->route($user, $service, LoginFlow::LOGIN_FLOW_PASSWORD, $isInternal);
        if ($decision === null) {
            return false;
        }

        switch ($decision->route) {
            case LoginRoute::LOGIN_ROUTE_LDAP:
            case LoginRoute::LOGIN_ROUTE_KEYCLOAK_PASSWORD:
                $provider = $decision->route === LoginRoute::LOGIN_ROUTE_LDAP ? 'LDAP' : 'Keycloak';
                if (!$this->mailcow->identityProviderReady()) {
                    $this->refuse($user, $isInternal, "SCIM login via $provider: mailcow has no working $provider connection (\$iam_provider is empty)", self::IDP_UNREACHABLE_MESSAGE);

                    return false;
                }
                $verified = $decision->route === LoginRoute::LOGIN_ROUTE_LDAP
                    ? $this->mailcow->checkLdapPassword($user, $pass, $isInternal)
                    : $this->mailcow->checkKeycloakPassword($user, $pass, $isInternal);
                if (!$verified) {
                    return false;
                }

                return $this->afterCredentialCheck($user, $service, $isInternal, "SCIM via $provider");
            case LoginRoute::LOGIN_ROUTE_SSO_ONLY:
            case LoginRoute::LOGIN_ROUTE_DENY:
                $this->refuse($user, $isInternal, $decision->logMessage, $decision->userMessage);

                return false;
            default:
                // A route this bridge does not know (a newer sidecar): refuse rather than guess.
                $this->refuse($user, $isInternal, sprintf('unknown login route %d from the sidecar: %s', $decision->route, $decision->logMessage), '');

                return false;
        }
    }

    /**
     * The 'scim' branch of `identity_provider('verify-sso')`: the IdP has authenticated the
     * user (OIDC code flow, mailcow has already exchanged the code); accept the login when the
     * sidecar allows SSO for this mailbox. No mailbox template is applied (§3.5, §3.10), and
     * mailcow's TFA does not apply to SSO.
     *
     * @param array<string, mixed> $info the IdP's resource owner claims (`email` required)
     */
    public function ssoLogin(array $info, ?string $token = null, ?string $refreshToken = null): bool
    {
        $email = (string) ($info['email'] ?? '');
        $decision = $this->route($email, 'NONE', LoginFlow::LOGIN_FLOW_SSO, false);
        if ($decision === null) {
            $this->mailcow->clearSession();
            $this->mailcow->report('danger', ['mailcow_scim_verify_sso', $email, 'mailcow-scim sidecar unreachable'], self::UNAVAILABLE_MESSAGE);

            return false;
        }
        if ($decision->route !== LoginRoute::LOGIN_ROUTE_SSO) {
            $this->mailcow->clearSession();
            $this->mailcow->report('danger', ['mailcow_scim_verify_sso', $email, $decision->logMessage], $decision->userMessage !== '' ? $decision->userMessage : 'login_failed');

            return false;
        }
        $username = $decision->mailbox !== '' ? $decision->mailbox : $email;
        $this->mailcow->setUserLoggedInSession($username);
        $this->mailcow->setSession(['iam_token' => $token, 'iam_refresh_token' => $refreshToken]);
        $this->mailcow->report('success', ['mailcow_scim_verify_sso', $username, 'user', 'SCIM via SSO'], ['logged_in_as', $username]);

        return true;
    }

    private function route(string $user, string $service, int $flow, bool $isInternal): ?RouteLoginResponse
    {
        try {
            return $this->client->routeLogin(new RouteLoginRequest([
                'username' => $user,
                'service' => $service === '' ? 'NONE' : $service,
                'flow' => $flow,
            ]), $this->deadlineMs);
        } catch (GrpcException $e) {
            $this->mailcow->logError("login routing for $user failed: " . $e->getMessage());
            if (!$isInternal && $flow === LoginFlow::LOGIN_FLOW_PASSWORD) {
                $this->mailcow->report('danger', ['mailcow_scim_user_login', $user, '*', 'mailcow-scim: ' . $e->getMessage()], self::UNAVAILABLE_MESSAGE);
            }

            return null;
        }
    }

    /** The steps of mailcow's `ldap` case after a successful credential check. */
    private function afterCredentialCheck(string $user, string $service, bool $isInternal, string $provider): string|false
    {
        // Re-read: the mailbox or its domain may have been deactivated meanwhile.
        $row = $this->mailcow->activeMailboxRow($user);
        if ($row === null) {
            return false;
        }
        if ($service !== '' && strtoupper($service) !== 'NONE') {
            $key = strtolower($service) . '_access';
            if (isset($row['attributes'][$key]) && (string) $row['attributes'][$key] !== '1') {
                return false;
            }
        }
        $log = ['mailcow_scim_user_login', $user, '*', "Provider: $provider"];
        $authenticators = $this->mailcow->tfaAuthenticators($user);
        if ($authenticators !== [] && !$isInternal) {
            $this->mailcow->setSession([
                'pending_mailcow_cc_username' => $user,
                'pending_mailcow_cc_role' => 'user',
                'pending_tfa_methods' => $authenticators,
                'ldelay' => null,
            ]);
            $this->mailcow->report('success', $log, ['logged_in_as', $user]);

            return 'pending';
        }
        if (!$isInternal) {
            $this->mailcow->setSession(['ldelay' => null]);
            $this->mailcow->reactivateTfa($user);
            if ((int) ($row['attributes']['force_tfa'] ?? 0) === 1 && !$this->mailcow->tfaExists($user)) {
                $this->mailcow->setSession(['pending_tfa_setup' => true]);
            }
            $this->mailcow->report('success', $log, ['logged_in_as', $user]);
        }

        return 'user';
    }

    private function refuse(string $user, bool $isInternal, string $logMessage, string $userMessage): void
    {
        if ($isInternal) {
            // Dovecot and SOGo show no text; mailcow logs nothing for internal failures either.
            return;
        }
        $log = ['mailcow_scim_user_login', $user, '*', $logMessage];
        if ($userMessage === '') {
            // mailcow's check_login() adds its own 'login_failed' alert to every failed web login
            // (mailcow-facts.md §3.2): a second one from here would show the failure twice. The
            // reason goes to mailcow's log only.
            $this->mailcow->log('danger', $log, 'login_failed');

            return;
        }
        $this->mailcow->report('danger', $log, $userMessage);
    }
}
