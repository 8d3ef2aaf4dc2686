<?php
/*
 * The functions mailcow's patched code and pages call (README.md, "Hook points"). All names
 * start with mailcow_scim_, so they never clash with mailcow's own.
 */

declare(strict_types=1);

use MailcowScim\Admin\AdminApi;
use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Login\MailcowRuntime;
use MailcowScim\Login\ScimLogin;

/** The bridge for this request (configured from $MAILCOW_SCIM and the environment). */
function mailcow_scim_bridge(?Bridge $replace = null): Bridge
{
    static $bridge = null;
    if ($replace !== null) {
        $bridge = $replace;
    }

    return $bridge ??= new Bridge(Config::load());
}

/**
 * `user_login()` for a mailbox whose authsource is 'scim' (hook in functions.auth.inc.php:
 * `case 'scim': return mailcow_scim_user_login($user, $pass, $extra, $row);`). The sidecar
 * decides from its own fresh read of the mailbox, so `$row` is accepted but not trusted.
 *
 * @param array<string, mixed>|null $extra
 * @param array<string, mixed>|null $row
 * @return string|false "user", "pending" or false, like user_login()
 */
function mailcow_scim_user_login($user, $pass, $extra = null, $row = null)
{
    $bridge = mailcow_scim_bridge();
    $login = new ScimLogin($bridge->login(), new MailcowRuntime(), $bridge->config->loginDeadlineMs);

    return $login->passwordLogin((string) $user, (string) $pass, is_array($extra) ? $extra : null);
}

/**
 * The 'scim' branch of `identity_provider('verify-sso')`, asking the sidecar (README.md,
 * "SSO"): an alternative to patching verify-sso to accept 'scim' inline. Hook, before the
 * "not of type OIDC" check: `if ($row['authsource'] == 'scim') return
 * mailcow_scim_verify_sso($info, $plain_token, $plain_refreshtoken);`.
 *
 * @param array<string, mixed> $info the IdP's claims
 */
function mailcow_scim_verify_sso($info, $token = null, $refresh_token = null): bool
{
    $bridge = mailcow_scim_bridge();
    $login = new ScimLogin($bridge->login(), new MailcowRuntime(), $bridge->config->loginDeadlineMs);

    return $login->ssoLogin(is_array($info) ? $info : [], $token === null ? null : (string) $token, $refresh_token === null ? null : (string) $refresh_token);
}

/**
 * Answers one request of the SCIM admin page and exits (admin-api.php calls this after
 * mailcow's prerequisites.inc.php has started the session).
 */
function mailcow_scim_admin_endpoint(): void
{
    $api = new AdminApi(mailcow_scim_bridge(), $_SERVER['DOCUMENT_ROOT'] ?? '/web');
    $response = $api->handle(
        $_SERVER['REQUEST_METHOD'] ?? 'GET',
        $_GET,
        (string) file_get_contents('php://input'),
        mailcow_scim_request_headers($_SERVER),
        $_SESSION ?? [],
    );
    http_response_code($response->status);
    foreach ($response->headers as $name => $value) {
        header("$name: $value");
    }
    echo $response->body;
    exit;
}

/**
 * The request headers the admin API looks at, from $_SERVER (lower-case names).
 *
 * @param array<string, mixed> $server
 * @return array<string, string>
 */
function mailcow_scim_request_headers(array $server): array
{
    $headers = [];
    foreach ($server as $key => $value) {
        if (is_string($value) && str_starts_with((string) $key, 'HTTP_')) {
            $headers[strtolower(str_replace('_', '-', substr((string) $key, 5)))] = $value;
        }
    }
    if (isset($server['CONTENT_TYPE'])) {
        $headers['content-type'] = (string) $server['CONTENT_TYPE'];
    }

    return $headers;
}
