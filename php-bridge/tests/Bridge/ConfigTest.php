<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Bridge;

use MailcowScim\Bridge;
use MailcowScim\Config;
use MailcowScim\Grpc\CurlChannel;
use PHPUnit\Framework\TestCase;

/** Where the bridge's settings come from: $MAILCOW_SCIM first, then the environment, then defaults. */
final class ConfigTest extends TestCase
{
    public function testDefaults(): void
    {
        $c = Config::load([], []);
        $this->assertSame(['/run/mailcow-scim/rpc.sock', 2500, 5000, null], [$c->rpcSocket, $c->loginDeadlineMs, $c->adminDeadlineMs, $c->reuseConnections]);
    }

    public function testSettingsWinOverTheEnvironment(): void
    {
        $env = ['SCIM_RPC_SOCKET' => '/env.sock', 'SCIM_LOGIN_DEADLINE_MS' => '900', 'SCIM_RPC_REUSE_CONNECTIONS' => '0'];
        $c = Config::load([], $env);
        $this->assertSame(['/env.sock', 900, false], [$c->rpcSocket, $c->loginDeadlineMs, $c->reuseConnections]);
        $c = Config::load(['rpc_socket' => '/set.sock', 'login_deadline_ms' => 1200, 'reuse_connections' => true], $env);
        $this->assertSame(['/set.sock', 1200, true], [$c->rpcSocket, $c->loginDeadlineMs, $c->reuseConnections]);
    }

    public function testUnusableValuesFallBackToDefaults(): void
    {
        $c = Config::load(['login_deadline_ms' => '-5', 'admin_deadline_ms' => '999999', 'rpc_socket' => '  ', 'reuse_connections' => 'maybe'], []);
        $this->assertSame(['/run/mailcow-scim/rpc.sock', 2500, 5000, null], [$c->rpcSocket, $c->loginDeadlineMs, $c->adminDeadlineMs, $c->reuseConnections]);
    }

    public function testTheGlobalArrayIsRead(): void
    {
        $GLOBALS['MAILCOW_SCIM'] = ['rpc_socket' => '/global.sock'];
        try {
            $this->assertSame('/global.sock', Config::load(null, [])->rpcSocket);
        } finally {
            unset($GLOBALS['MAILCOW_SCIM']);
        }
    }

    public function testTheChannelFollowsTheReuseSetting(): void
    {
        $auto = (new Bridge(new Config('/x.sock')))->channel();
        \assert($auto instanceof CurlChannel);
        $this->assertSame(CurlChannel::libcurlCanReuseConnections(), $auto->reusesConnections());
        $off = (new Bridge(new Config('/x.sock', reuseConnections: false)))->channel();
        \assert($off instanceof CurlChannel);
        $this->assertFalse($off->reusesConnections());
    }
}
