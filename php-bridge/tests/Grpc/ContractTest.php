<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Grpc;

use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Gen\Grpc\Health\V1\HealthCheckRequest;
use MailcowScim\Gen\Grpc\Health\V1\HealthCheckResponse_ServingStatus;
use MailcowScim\Gen\Mailcow\Scim\V1\CreateTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\DeleteMode;
use MailcowScim\Gen\Mailcow\Scim\V1\GetLoginSetupRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\GetStatusRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\GetTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListDomainsRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListEventsRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListMailboxTemplatesRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\ListTokensRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginFlow;
use MailcowScim\Gen\Mailcow\Scim\V1\LoginRoute;
use MailcowScim\Gen\Mailcow\Scim\V1\RevokeTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\RotateTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\RouteLoginRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\UpdateTokenRequest;
use MailcowScim\Grpc\GrpcException;
use MailcowScim\Grpc\Status;
use MailcowScim\Tests\Support\TestEnv;
use PHPUnit\Framework\TestCase;

/**
 * The PHP client against the real sidecar, for every RPC the bridge uses: the generated PHP
 * messages and the sidecar's ts-proto messages must agree field by field, and errors must
 * arrive as GrpcException with the sidecar's scim-type.
 */
final class ContractTest extends TestCase
{
    private Bridge $bridge;

    protected function setUp(): void
    {
        $this->bridge = new Bridge(new Config(TestEnv::rpcSocket($this)));
    }

    public function testHealthAndStatus(): void
    {
        $this->assertSame(HealthCheckResponse_ServingStatus::SERVING, $this->bridge->health()->check(new HealthCheckRequest())->status);
        $this->assertSame(HealthCheckResponse_ServingStatus::SERVING, $this->bridge->health()->check(new HealthCheckRequest(['service' => 'mailcow.scim.v1.LoginService']))->status);
        $status = $this->bridge->status()->getStatus(new GetStatusRequest());
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', $status->version);
        $this->assertTrue($status->databaseReachable);
        $this->assertTrue($status->schema->authsourceHasScim);
        $this->assertTrue($status->schema->writesAllowed);
        $this->assertSame('19022026_1220', $status->schema->mailcowDbSchema);
        $this->assertGreaterThanOrEqual(0, $status->uptimeSeconds);
    }

    public function testTokenLifecycle(): void
    {
        $tokens = $this->bridge->tokens();
        $created = $tokens->createToken(new CreateTokenRequest([
            'name' => 'contract ' . bin2hex(random_bytes(3)),
            'policy' => [
                'domains' => ['example.org'],
                'defaultDomain' => 'example.org',
                'defaultTemplate' => 'Default',
                'templateRules' => [['filter' => 'title eq "Boss"', 'template' => 'Default']],
                'onDeactivate' => 'DEACTIVATE_MODE_INACTIVE',
                'onDelete' => 'DELETE_MODE_DEACTIVATE',
                'aliasSync' => true,
                'ipAllowList' => ['192.0.2.0/24', '2001:db8::/32'],
                'groupAddressFromName' => true,
                'groupSenderAcl' => false,
            ],
        ]));
        $this->assertMatchesRegularExpression('/^mcs_/', $created->secret);
        $this->assertStringStartsWith($created->token->prefix, $created->secret);
        $t = $created->token;
        $this->assertTrue($t->active);
        $this->assertSame(['192.0.2.0/24', '2001:db8::/32'], $t->policy->ipAllowList);
        $this->assertSame('title eq "Boss"', $t->policy->templateRules[0]->filter);
        $this->assertSame('', $t->lastUsedAt);

        $this->assertSame($t->name, $tokens->getToken(new GetTokenRequest(['id' => $t->id]))->token->name);
        $ids = array_map(static fn ($x) => $x->id, $tokens->listTokens(new ListTokensRequest())->tokens);
        $this->assertContains($t->id, $ids);

        $off = $tokens->updateToken(new UpdateTokenRequest(['id' => $t->id, 'active' => false]))->token;
        $this->assertFalse($off->active);
        $this->assertSame(['example.org'], $off->policy->domains, 'a partial update keeps the policy');
        $renamed = $tokens->updateToken(new UpdateTokenRequest([
            'id' => $t->id,
            'name' => $t->name . ' b',
            'active' => true,
            'policy' => $t->policy->toArray() + [],
        ]))->token;
        $this->assertTrue($renamed->active);
        $this->assertSame($t->name . ' b', $renamed->name);

        $rotated = $tokens->rotateToken(new RotateTokenRequest(['id' => $t->id]));
        $this->assertNotSame($created->secret, $rotated->secret);
        $revoked = $tokens->revokeToken(new RevokeTokenRequest(['id' => $t->id]))->token;
        $this->assertFalse($revoked->active);
        $ids = array_map(static fn ($x) => $x->id, $tokens->listTokens(new ListTokensRequest())->tokens);
        $this->assertNotContains($t->id, $ids);
        $ids = array_map(static fn ($x) => $x->id, $tokens->listTokens(new ListTokensRequest(['includeRevoked' => true]))->tokens);
        $this->assertContains($t->id, $ids);
    }

    public function testPolicyErrorsArriveWithScimType(): void
    {
        try {
            $this->bridge->tokens()->createToken(new CreateTokenRequest(['name' => 'bad', 'policy' => ['domains' => ['example.org'], 'defaultDomain' => 'other.org']]));
            $this->fail('expected INVALID_ARGUMENT');
        } catch (GrpcException $e) {
            $this->assertSame(Status::INVALID_ARGUMENT, $e->getStatusCode());
            $this->assertSame('invalidValue', $e->getScimType());
            $this->assertSame(400, $e->getScimStatus());
            $this->assertStringContainsString("defaultDomain: \"other.org\" must be one of the token's domains", $e->getDetails());
            $this->assertStringContainsString('mailcow.scim.v1.TokenService/CreateToken', $e->getMessage());
        }
    }

    public function testNotFound(): void
    {
        try {
            $this->bridge->tokens()->getToken(new GetTokenRequest(['id' => '00000000-0000-4000-8000-000000000000']));
            $this->fail('expected NOT_FOUND');
        } catch (GrpcException $e) {
            $this->assertSame(Status::NOT_FOUND, $e->getStatusCode());
            $this->assertSame(404, $e->getScimStatus());
        }
    }

    public function testUnknownEnumValueFromPhpIsRefusedOrDefaulted(): void
    {
        // A PHP client may send enum numbers the sidecar does not know; it treats them as the default.
        $created = $this->bridge->tokens()->createToken(new CreateTokenRequest(['name' => 'enum ' . bin2hex(random_bytes(3)), 'policy' => ['domains' => ['example.org'], 'onDelete' => 7]]));
        $this->assertSame(DeleteMode::DELETE_MODE_DEACTIVATE, $created->token->policy->onDelete);
    }

    public function testLoginAndAdminServices(): void
    {
        $decision = $this->bridge->login()->routeLogin(new RouteLoginRequest(['username' => 'nobody@example.org', 'service' => 'IMAP', 'flow' => LoginFlow::LOGIN_FLOW_PASSWORD]));
        $this->assertSame(LoginRoute::LOGIN_ROUTE_DENY, $decision->route);
        $this->assertSame('', $decision->userMessage);

        $setup = $this->bridge->admin()->getLoginSetup(new GetLoginSetupRequest());
        $this->assertIsString($setup->summary);
        $templates = array_map(static fn ($t) => $t->name, $this->bridge->admin()->listMailboxTemplates(new ListMailboxTemplatesRequest())->templates);
        $this->assertContains('Default', $templates);
        $domains = array_map(static fn ($d) => [$d->name, $d->active], $this->bridge->admin()->listDomains(new ListDomainsRequest())->domains);
        $this->assertContains(['example.org', true], $domains);
        $this->assertContains(['off.example.org', false], $domains);
        $events = $this->bridge->admin()->listEvents(new ListEventsRequest(['limit' => 5]));
        $this->assertLessThanOrEqual(5, \count($events->events));

        try {
            $this->bridge->admin()->listEvents(new ListEventsRequest(['limit' => 100000]));
            $this->fail('expected INVALID_ARGUMENT');
        } catch (GrpcException $e) {
            $this->assertSame('invalidValue', $e->getScimType());
        }
    }
}
