<?php

declare(strict_types=1);

namespace MailcowScim\Admin;

use MailcowScim\Bridge;
use MailcowScim\Gen\Mailcow\Scim\V1\AdoptRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\CreateTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\GetLoginSetupRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\GetStatusRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListDomainsRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListEventsRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListGroupsRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListMailboxTemplatesRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListTokensRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\PlanAdoptionRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\RevokeTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\RotateTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\UpdateTokenRequest;
use MailcowScim\Grpc\CurlChannel;
use MailcowScim\Grpc\GrpcException;
use MailcowScim\Grpc\Status;
use MailcowScim\Protobuf\InvalidMessageException;

/**
 * The JSON API behind the SCIM page in mailcow's admin area. Every action goes to the sidecar
 * through the bridge (TokenService, StatusService, AdminService); nothing here touches MariaDB.
 *
 * Access follows mailcow's model (docs/mailcow-facts.md §4.4): a logged-in admin session
 * (`mailcow_cc_role` admin, not an API-key session), and for every POST the session's CSRF
 * token in an `X-CSRF-Token` header. The token is compared, not rotated: mailcow rotates it
 * only for form posts, and this page makes many JSON calls without reloading.
 *
 * Requests: GET `?asset=admin.js|panel.html` for the page's script and markup; POST with a JSON
 * body `{"action": "...", "params": {...}}`. Answers: `{"ok": true, "data": ...}` or
 * `{"ok": false, "error": {"code", "message", "scimType"?}}` with a fitting HTTP status.
 */
final class AdminApi
{
    public const MAX_BODY_BYTES = 65536;

    private const ASSETS = [
        'admin.js' => 'application/javascript; charset=utf-8',
        'panel.html' => 'text/html; charset=utf-8',
    ];

    private readonly InstallCheck $installCheck;

    public function __construct(private readonly Bridge $bridge, string $webRoot, ?InstallCheck $installCheck = null)
    {
        $this->installCheck = $installCheck ?? new InstallCheck($webRoot);
    }

    /**
     * @param array<string, mixed> $query
     * @param array<string, string> $headers lower-case names
     * @param array<string, mixed> $session
     */
    public function handle(string $method, array $query, string $body, array $headers, array $session): AdminResponse
    {
        if (($session['mailcow_cc_role'] ?? null) !== 'admin' || !empty($session['mailcow_cc_api'])) {
            return AdminResponse::error(403, 'PERMISSION_DENIED', 'Only a logged-in mailcow administrator can manage SCIM.');
        }
        $site = $headers['sec-fetch-site'] ?? null;
        if ($site !== null && !\in_array($site, ['same-origin', 'none'], true)) {
            return AdminResponse::error(403, 'PERMISSION_DENIED', 'Cross-site requests are refused.');
        }
        if ($method === 'GET') {
            $locale = $session['mailcow_locale'] ?? null;

            return $this->asset((string) ($query['asset'] ?? ''), Translations::forLocale(\is_string($locale) ? $locale : null));
        }
        if ($method !== 'POST') {
            return AdminResponse::error(405, 'METHOD_NOT_ALLOWED', 'Use GET for assets and POST for actions.');
        }
        $expected = $session['CSRF']['TOKEN'] ?? null;
        $given = $headers['x-csrf-token'] ?? '';
        if (!\is_string($expected) || $expected === '' || !hash_equals($expected, $given)) {
            return AdminResponse::error(403, 'CSRF', 'The page\'s security token is missing or outdated. Reload the page and try again.');
        }
        if (!str_starts_with(strtolower($headers['content-type'] ?? ''), 'application/json')) {
            return AdminResponse::error(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json).');
        }
        if (\strlen($body) > self::MAX_BODY_BYTES) {
            return AdminResponse::error(413, 'TOO_LARGE', 'The request is too large.');
        }
        try {
            $request = json_decode($body, true, 32, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            return AdminResponse::error(400, 'INVALID_ARGUMENT', 'The request is not valid JSON.');
        }
        if (!\is_array($request) || !\is_string($request['action'] ?? null)) {
            return AdminResponse::error(400, 'INVALID_ARGUMENT', 'The request needs an "action".');
        }
        $params = $request['params'] ?? [];
        if (!\is_array($params)) {
            return AdminResponse::error(400, 'INVALID_ARGUMENT', '"params" must be an object.');
        }

        try {
            return AdminResponse::json(200, ['ok' => true, 'data' => $this->dispatch($request['action'], $params)]);
        } catch (InvalidMessageException $e) {
            return AdminResponse::error(400, 'INVALID_ARGUMENT', $e->getMessage());
        } catch (GrpcException $e) {
            return self::fromGrpc($e);
        } catch (\InvalidArgumentException $e) {
            return AdminResponse::error(400, 'INVALID_ARGUMENT', $e->getMessage());
        }
    }

    /**
     * @param array<string, mixed> $p
     * @return array<string, mixed>
     */
    private function dispatch(string $action, array $p): array
    {
        $deadline = $this->bridge->config->adminDeadlineMs;
        switch ($action) {
            case 'overview':
                return $this->overview();
            case 'choices':
                return [
                    'templates' => $this->bridge->admin()->listMailboxTemplates(new ListMailboxTemplatesRequest(), $deadline)->toArray()['templates'],
                    'domains' => $this->bridge->admin()->listDomains(new ListDomainsRequest(), $deadline)->toArray()['domains'],
                ];
            case 'tokens.list':
                return $this->bridge->tokens()->listTokens(new ListTokensRequest(['includeRevoked' => (bool) ($p['includeRevoked'] ?? false)]), $deadline)->toArray();
            case 'tokens.create':
                return $this->bridge->tokens()->createToken(new CreateTokenRequest(self::only($p, ['name', 'policy'])), $deadline)->toArray();
            case 'tokens.update':
                return $this->bridge->tokens()->updateToken(new UpdateTokenRequest(self::only($p, ['id', 'name', 'active', 'policy'])), $deadline)->toArray();
            case 'tokens.rotate':
                return $this->bridge->tokens()->rotateToken(new RotateTokenRequest(self::only($p, ['id'])), $deadline)->toArray();
            case 'tokens.revoke':
                return $this->bridge->tokens()->revokeToken(new RevokeTokenRequest(self::only($p, ['id'])), $deadline)->toArray();
            case 'events':
                return $this->bridge->admin()->listEvents(new ListEventsRequest(self::only($p, ['limit', 'beforeId', 'tokenId'])), $deadline)->toArray();
            case 'groups.list':
                return $this->bridge->admin()->listGroups(new ListGroupsRequest(self::only($p, ['tokenId', 'startIndex', 'count'])), $deadline)->toArray();
            // Bulk adoption, a page per call (the page asks for the next one), as the CLI does it.
            case 'adoption.plan':
                return $this->bridge->admin()->planAdoption(new PlanAdoptionRequest(self::only($p, ['selection', 'pageSize', 'pageToken'])), $deadline)->toArray();
            case 'adoption.run':
                return $this->bridge->admin()->adopt(new AdoptRequest(self::only($p, ['selection', 'pageSize', 'pageToken'])), $deadline)->toArray();
            default:
                throw new \InvalidArgumentException("Unknown action \"$action\".");
        }
    }

    /**
     * Everything the status panel shows. The sidecar being down is a state to show, not an
     * error: the install checks and the client facts come from PHP alone.
     *
     * @return array<string, mixed>
     */
    private function overview(): array
    {
        $deadline = $this->bridge->config->adminDeadlineMs;
        $channel = $this->bridge->channel();
        $curl = curl_version();
        $out = [
            'sidecar' => ['reachable' => false, 'error' => '', 'socket' => $this->bridge->config->rpcSocket],
            'status' => null,
            'versions' => null,
            'login' => null,
            'install' => $this->installCheck->run(),
            'client' => [
                'bridgeVersion' => $this->bridge->version(),
                'php' => PHP_VERSION,
                'libcurl' => $curl['version'] ?? '',
                'http2' => CurlChannel::libcurlHasHttp2(),
                'reusesConnections' => $channel instanceof CurlChannel ? $channel->reusesConnections() : false,
            ],
        ];
        try {
            $out['status'] = $this->bridge->status()->getStatus(new GetStatusRequest(), $deadline)->toArray();
            $out['sidecar']['reachable'] = true;
            $out['versions'] = $this->versions($out['status']);
            $out['login'] = $this->bridge->admin()->getLoginSetup(new GetLoginSetupRequest(), $deadline)->toArray();
        } catch (GrpcException $e) {
            $out['sidecar']['error'] = $e->getDetails();
        }

        return $out;
    }

    /**
     * The sidecar's comparison with this bridge (it saw this very call's version). A sidecar
     * older than version records sends none: then the bridge compares the two numbers itself.
     *
     * @param array<string, mixed> $status
     * @return array{skew: bool, problem: string, fix: string, bridgeVersion: string, sidecarVersion: string}
     */
    private function versions(array $status): array
    {
        $v = \is_array($status['versions'] ?? null) ? $status['versions'] : null;
        if ($v !== null && ($v['sidecarVersion'] ?? '') !== '') {
            return [
                'skew' => (bool) ($v['skew'] ?? false),
                'problem' => (string) ($v['problem'] ?? ''),
                'fix' => (string) ($v['fix'] ?? ''),
                'bridgeVersion' => (string) ($v['bridgeVersion'] ?? ''),
                'sidecarVersion' => (string) $v['sidecarVersion'],
            ];
        }
        $sidecar = (string) ($status['version'] ?? '');
        $bridge = $this->bridge->version();
        $skew = $bridge !== $sidecar;

        return [
            'skew' => $skew,
            'problem' => $skew ? "The PHP bridge is " . ($bridge !== '' ? $bridge : 'without a version') . ", the sidecar $sidecar (a sidecar too old to compare versions itself). Re-run mailcow-scim install from the sidecar's image, in the mailcow directory, then restart php-fpm-mailcow." : '',
            'fix' => '',
            'bridgeVersion' => $bridge,
            'sidecarVersion' => $sidecar,
        ];
    }

    private function asset(string $name, Translations $strings): AdminResponse
    {
        $type = self::ASSETS[$name] ?? null;
        $path = __DIR__ . '/assets/' . $name;
        if ($type === null || !is_file($path)) {
            return AdminResponse::error(404, 'NOT_FOUND', 'No such asset.');
        }
        $content = (string) file_get_contents($path);
        if ($name === 'panel.html') {
            // In the admin's language; the ETag below differs per language with it.
            $content = $strings->renderPanel($content);
        }

        return new AdminResponse(200, $content, [
            'Content-Type' => $type,
            // Bridge updates must reach browsers at once; the files are small.
            'Cache-Control' => 'no-cache',
            'ETag' => '"' . substr(hash('sha256', $content), 0, 16) . '"',
            'X-Content-Type-Options' => 'nosniff',
        ]);
    }

    /**
     * A failed sidecar call as the admin page shows it. UNAVAILABLE is "try again": either the
     * sidecar did not answer, or it answered that something it needs (the database) is down for
     * now (scim-code database_unreachable); FAILED_PRECONDITION carries what an admin must fix.
     */
    public static function fromGrpc(GrpcException $e): AdminResponse
    {
        $details = $e->getScimType() !== null ? ['scimType' => $e->getScimType()] : [];
        if ($e->getScimCode() !== null) {
            $details['scimCode'] = $e->getScimCode();
        }
        // Each problem names its policy field, so the page can show it next to that field.
        $problems = $e->getPolicyProblems();
        if ($problems !== null) {
            $details['problems'] = $problems;
        }
        $http = match ($e->getStatusCode()) {
            Status::INVALID_ARGUMENT => 400,
            Status::NOT_FOUND => 404,
            Status::ALREADY_EXISTS, Status::ABORTED => 409,
            Status::FAILED_PRECONDITION => 412,
            Status::PERMISSION_DENIED => 403,
            Status::RESOURCE_EXHAUSTED => 429,
            Status::UNAVAILABLE, Status::DEADLINE_EXCEEDED => 503,
            default => 502,
        };
        $detail = rtrim($e->getDetails(), '. ') . '.';
        $again = stripos($detail, 'try again') === false ? ' Try again in a moment.' : '';
        $message = match (true) {
            // The sidecar answered: its detail says what is down.
            $http === 503 && $e->getScimCode() !== null => $detail . $again,
            $http === 503 => 'The SCIM sidecar is not reachable: ' . $detail . $again,
            $http === 429 => $detail . $again,
            $http === 502 => 'The SCIM sidecar failed: ' . $e->getDetails(),
            default => $e->getDetails(),
        };

        return AdminResponse::error($http, $e->getStatusName(), $message, $details);
    }

    /**
     * @param array<string, mixed> $p
     * @param list<string> $keys
     * @return array<string, mixed>
     */
    private static function only(array $p, array $keys): array
    {
        $unknown = array_diff(array_keys($p), $keys);
        if ($unknown !== []) {
            throw new \InvalidArgumentException('Unknown parameter "' . implode('", "', $unknown) . '".');
        }

        return $p;
    }
}
