<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Admin;

use MailcowScim\Admin\AdminApi;
use MailcowScim\Admin\AdminResponse;
use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Grpc\GrpcException;
use MailcowScim\Grpc\Status;
use MailcowScim\InstallState;
use MailcowScim\Tests\Support\TestEnv;
use PHPUnit\Framework\TestCase;

/** The admin page's JSON API: mailcow's session and CSRF rules, and every action through the bridge. */
final class AdminApiTest extends TestCase
{
    private const CSRF = 'c0ffee0000000000000000000000000000000000000000000000000000000000';
    private const ADMIN = ['mailcow_cc_role' => 'admin', 'mailcow_cc_username' => 'admin', 'CSRF' => ['TOKEN' => self::CSRF]];

    private function api(?string $socket = null, ?InstallState $installed = null): AdminApi
    {
        return new AdminApi(new Bridge(new Config($socket ?? TestEnv::rpcSocket($this), 2000, 2000), null, $installed), '/nonexistent-web-root');
    }

    /**
     * @param array<string, mixed> $params
     * @param array<string, mixed> $session
     * @param array<string, string> $headers
     * @return array{0: int, 1: array<string, mixed>}
     */
    private function post(string $action, array $params = [], array $session = self::ADMIN, array $headers = [], ?AdminApi $api = null): array
    {
        $r = ($api ?? $this->api())->handle('POST', [], json_encode(['action' => $action, 'params' => (object) $params]), $headers + [
            'content-type' => 'application/json',
            'x-csrf-token' => self::CSRF,
            'sec-fetch-site' => 'same-origin',
        ], $session);

        return [$r->status, json_decode($r->body, true)];
    }

    public function testOnlyAdminSessionsWithTheCsrfTokenGetIn(): void
    {
        $this->assertSame(403, $this->post('overview', [], ['mailcow_cc_role' => 'user'] + self::ADMIN)[0]);
        $this->assertSame(403, $this->post('overview', [], [])[0]);
        $this->assertSame(403, $this->post('overview', [], self::ADMIN + ['mailcow_cc_api' => true])[0], 'API-key sessions are not admins of this page');
        [$status, $body] = $this->post('overview', [], self::ADMIN, ['x-csrf-token' => 'wrong']);
        $this->assertSame([403, 'CSRF'], [$status, $body['error']['code']]);
        $this->assertSame(403, $this->post('overview', [], self::ADMIN, ['x-csrf-token' => ''])[0]);
        $this->assertSame(403, $this->post('overview', [], ['CSRF' => ['TOKEN' => '']] + self::ADMIN, ['x-csrf-token' => ''])[0]);
        $this->assertSame(403, $this->post('overview', [], self::ADMIN, ['sec-fetch-site' => 'cross-site'])[0]);
        $this->assertSame(415, $this->post('overview', [], self::ADMIN, ['content-type' => 'application/x-www-form-urlencoded'])[0]);
        $this->assertSame(405, $this->api()->handle('DELETE', [], '', [], self::ADMIN)->status);
    }

    public function testRefusesMalformedRequests(): void
    {
        $bad = $this->api()->handle('POST', [], '{nope', ['content-type' => 'application/json', 'x-csrf-token' => self::CSRF], self::ADMIN);
        $this->assertSame(400, $bad->status);
        $this->assertSame(400, $this->post('tokens.explode')[0]);
        [$status, $body] = $this->post('tokens.rotate', ['id' => 'x', 'force' => true]);
        $this->assertSame(400, $status);
        $this->assertStringContainsString('Unknown parameter "force"', $body['error']['message']);
        [$status, $body] = $this->post('tokens.create', ['name' => 'x', 'policy' => ['domains' => 'example.org']]);
        $this->assertSame(400, $status);
        $this->assertStringContainsString('must be a list', $body['error']['message']);
        $huge = $this->api()->handle('POST', [], str_repeat(' ', AdminApi::MAX_BODY_BYTES + 1), ['content-type' => 'application/json', 'x-csrf-token' => self::CSRF], self::ADMIN);
        $this->assertSame(413, $huge->status);
    }

    public function testServesThePageAssetsToAdminsOnly(): void
    {
        $js = $this->api()->handle('GET', ['asset' => 'admin.js'], '', [], self::ADMIN);
        $this->assertSame(200, $js->status);
        $this->assertStringStartsWith('application/javascript', $js->headers['Content-Type']);
        $this->assertSame('no-cache', $js->headers['Cache-Control']);
        $this->assertStringContainsString('mailcow-scim-admin', $js->body);
        $html = $this->api()->handle('GET', ['asset' => 'panel.html'], '', [], self::ADMIN);
        $this->assertStringContainsString('id="scim-tokens-table"', $html->body);
        $this->assertSame(404, $this->api()->handle('GET', ['asset' => '../AdminApi.php'], '', [], self::ADMIN)->status);
        $this->assertSame(403, $this->api()->handle('GET', ['asset' => 'admin.js'], '', [], [])->status);
    }

    public function testServesThePanelInTheAdminsLanguage(): void
    {
        $en = $this->api()->handle('GET', ['asset' => 'panel.html'], '', [], self::ADMIN);
        $de = $this->api()->handle('GET', ['asset' => 'panel.html'], '', [], ['mailcow_locale' => 'de-de'] + self::ADMIN);
        $this->assertStringContainsString('Create token', $en->body);
        $this->assertStringContainsString('Token erstellen', $de->body);
        $this->assertStringNotContainsString('{{', $de->body);
        $this->assertStringContainsString('<script type="application/json" id="scim-lang">', $de->body);
        $this->assertNotSame($en->headers['ETag'], $de->headers['ETag'], 'a browser never revalidates one language into another');
    }

    public function testGroupsAndAdoptionGoThroughTheSidecar(): void
    {
        [$status, $body] = $this->post('tokens.create', ['name' => 'groups ' . bin2hex(random_bytes(3)), 'policy' => ['domains' => ['example.org']]]);
        $this->assertSame(200, $status, json_encode($body));
        $id = $body['data']['token']['id'];
        [$status, $body] = $this->post('groups.list', ['tokenId' => $id]);
        $this->assertSame([200, []], [$status, $body['data']['groups'] ?? []], json_encode($body));
        $this->assertSame(400, $this->post('groups.list', ['tokenId' => $id, 'filter' => 'x'])[0]);
        [$status, $body] = $this->post('adoption.plan', ['selection' => ['tokenId' => $id, 'addresses' => ['nobody@example.org']]]);
        $this->assertSame(200, $status, json_encode($body));
        $this->assertSame('ADOPTION_ACTION_REFUSE', $body['data']['entries'][0]['action']);
        [$status, $body] = $this->post('adoption.run', ['selection' => ['tokenId' => $id, 'addresses' => ['nobody@example.org']]]);
        $this->assertSame(200, $status, json_encode($body));
        $this->assertSame('ADOPTION_OUTCOME_REFUSED', $body['data']['results'][0]['outcome']);
        [, $body] = $this->post('tokens.revoke', ['id' => $id]);
        $this->assertNotSame('', $body['data']['token']['revokedAt']);
    }

    public function testOverview(): void
    {
        [$status, $body] = $this->post('overview');
        $this->assertSame(200, $status);
        $o = $body['data'];
        $this->assertTrue($o['sidecar']['reachable']);
        $this->assertTrue($o['status']['databaseReachable']);
        $this->assertTrue($o['status']['schema']['authsourceHasScim']);
        $this->assertIsString($o['login']['summary']);
        $this->assertSame(['bridge-loaded', 'install-record'], array_column($o['install'], 'id'), 'the test bridge has no install record');
        $this->assertTrue($o['client']['http2']);
        $this->assertSame(PHP_VERSION, $o['client']['php']);
        // No install record: the bridge sends no version, and the sidecar says what that means.
        $this->assertSame('', $o['client']['bridgeVersion']);
        $this->assertTrue($o['versions']['skew']);
        $this->assertStringContainsString('has no version record', $o['versions']['problem']);
        $this->assertStringContainsString('install --mailcow-dir /mailcow', $o['versions']['fix']);
    }

    public function testOverviewComparesTheBridgeVersionWithTheSidecars(): void
    {
        $sidecar = $this->post('overview')[1]['data']['status']['version'];
        $same = $this->post('overview', [], self::ADMIN, [], $this->api(null, new InstallState(['version' => $sidecar, 'hunks' => []])))[1]['data'];
        $this->assertSame($sidecar, $same['client']['bridgeVersion']);
        $this->assertSame(['skew' => false, 'problem' => '', 'fix' => '', 'bridgeVersion' => $sidecar, 'sidecarVersion' => $sidecar], $same['versions']);
        $older = $this->post('overview', [], self::ADMIN, [], $this->api(null, new InstallState(['version' => '0.0.1', 'hunks' => []])))[1]['data'];
        $this->assertTrue($older['versions']['skew']);
        $this->assertSame('0.0.1', $older['versions']['bridgeVersion']);
        $this->assertStringContainsString("The PHP bridge in mailcow is 0.0.1, older than the sidecar $sidecar", $older['versions']['problem']);
    }

    public function testOverviewWhenTheSidecarIsDown(): void
    {
        $api = $this->api('/nonexistent/rpc.sock');
        [$status, $body] = $this->post('overview', [], self::ADMIN, [], $api);
        $this->assertSame(200, $status);
        $this->assertFalse($body['data']['sidecar']['reachable']);
        $this->assertStringContainsString('not reachable at /nonexistent/rpc.sock', $body['data']['sidecar']['error']);
        $this->assertNull($body['data']['status']);
        $this->assertNotEmpty($body['data']['install']);
        [$status, $body] = $this->post('tokens.list', [], self::ADMIN, [], $api);
        $this->assertSame(503, $status);
        $this->assertSame('UNAVAILABLE', $body['error']['code']);
        $this->assertStringStartsWith('The SCIM sidecar is not reachable', $body['error']['message']);
    }

    public function testAnOutageBehindTheSidecarSaysTryAgain(): void
    {
        $r = AdminApi::fromGrpc(new GrpcException(Status::UNAVAILABLE, 'The mailcow database is unreachable; try again shortly.', ['scim-code' => 'database_unreachable', 'scim-status' => '503', 'retry-after' => '5'], 'ListTokens'));
        $body = json_decode($r->body, true);
        $this->assertSame(503, $r->status);
        $this->assertSame('UNAVAILABLE', $body['error']['code']);
        $this->assertSame('database_unreachable', $body['error']['scimCode']);
        $this->assertSame('The mailcow database is unreachable; try again shortly.', $body['error']['message']);

        $r = AdminApi::fromGrpc(new GrpcException(Status::UNAVAILABLE, 'the SCIM sidecar is not reachable at /x.sock (No such file)', [], 'ListTokens'));
        $this->assertSame('The SCIM sidecar is not reachable: the SCIM sidecar is not reachable at /x.sock (No such file). Try again in a moment.', json_decode($r->body, true)['error']['message']);

        $r = AdminApi::fromGrpc(new GrpcException(Status::RESOURCE_EXHAUSTED, 'This server is already working on 128 SCIM requests; retry after 2 s.', ['scim-code' => 'overloaded'], 'ListTokens'));
        $this->assertSame(429, $r->status);
        $this->assertStringEndsWith('Try again in a moment.', json_decode($r->body, true)['error']['message']);

        $r = AdminApi::fromGrpc(new GrpcException(Status::FAILED_PRECONDITION, "SCIM writes are paused: mailbox.authsource lacks 'scim'", ['scim-code' => 'writes_paused'], 'AdoptMailbox'));
        $this->assertSame(412, $r->status);
        $this->assertStringStartsWith('SCIM writes are paused', json_decode($r->body, true)['error']['message']);
    }

    public function testTokenActionsGoThroughTheSidecar(): void
    {
        $name = 'admin-api ' . bin2hex(random_bytes(3));
        [$status, $body] = $this->post('tokens.create', ['name' => $name, 'policy' => ['domains' => ['example.org'], 'defaultDomain' => 'example.org', 'onDeactivate' => 'DEACTIVATE_MODE_INACTIVE']]);
        $this->assertSame(200, $status, json_encode($body));
        $secret = $body['data']['secret'];
        $id = $body['data']['token']['id'];
        $this->assertStringStartsWith($body['data']['token']['prefix'], $secret);

        [, $list] = $this->post('tokens.list');
        $row = array_values(array_filter($list['data']['tokens'], static fn ($t) => $t['id'] === $id))[0];
        $this->assertSame('DEACTIVATE_MODE_INACTIVE', $row['policy']['onDeactivate']);
        $this->assertStringNotContainsString($secret, json_encode($list), 'the secret is never listed');

        [$status, $body] = $this->post('tokens.update', ['id' => $id, 'policy' => ['domains' => ['example.org'], 'defaultDomain' => 'elsewhere.org']]);
        $this->assertSame(400, $status);
        $this->assertSame('invalidValue', $body['error']['scimType']);

        [$status, $body] = $this->post('tokens.update', ['id' => $id, 'active' => false]);
        $this->assertSame([200, false], [$status, $body['data']['token']['active']]);
        [$status, $body] = $this->post('tokens.rotate', ['id' => $id]);
        $this->assertSame(200, $status);
        $this->assertNotSame($secret, $body['data']['secret']);
        [$status, $body] = $this->post('tokens.revoke', ['id' => $id]);
        $this->assertSame(200, $status);
        [$status, $body] = $this->post('tokens.update', ['id' => '00000000-0000-4000-8000-000000000000', 'active' => true]);
        $this->assertSame(404, $status);

        [$status, $body] = $this->post('choices');
        $this->assertSame(200, $status);
        $this->assertContains('Default', array_column($body['data']['templates'], 'name'));
        $this->assertContains('example.org', array_column($body['data']['domains'], 'name'));
        [$status, $body] = $this->post('events', ['limit' => 10]);
        $this->assertSame(200, $status);
        $this->assertIsArray($body['data']['events']);
    }

    public function testARefusedRuleComesWithItsFieldAndPosition(): void
    {
        $policy = ['domains' => ['example.org'], 'templateRules' => [['filter' => 'title eq "Boss"', 'template' => 'Default'], ['filter' => 'department eq "Sales', 'template' => 'Default']]];
        [$status, $body] = $this->post('tokens.create', ['name' => 'rules ' . bin2hex(random_bytes(3)), 'policy' => $policy]);
        $this->assertSame(400, $status, json_encode($body));
        $this->assertSame('invalidFilter', $body['error']['scimType']);
        $this->assertSame(
            [['field' => 'templateRules[1].filter', 'ruleIndex' => 1, 'message' => 'unterminated string starting at position 14', 'offset' => 14, 'excerpt' => "department eq \"Sales\n              ^"]],
            $body['error']['problems'],
        );
    }

    public function testJsonAnswersAreNeverCached(): void
    {
        $r = AdminResponse::json(200, ['ok' => true]);
        $this->assertSame('no-store', $r->headers['Cache-Control']);
    }
}
