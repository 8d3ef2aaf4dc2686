<?php

declare(strict_types=1);

namespace MailcowScim\Tests\Grpc;

use MailcowScim\Gen\Mailcow\Scim\V1\GetStatusRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\GetTokenRequest;
use MailcowScim\Gen\Mailcow\Scim\V1\StatusServiceClient;
use MailcowScim\Grpc\CurlChannel;
use MailcowScim\Grpc\GrpcException;
use MailcowScim\Grpc\Status;
use MailcowScim\Tests\Support\TestEnv;
use PHPUnit\Framework\TestCase;

/**
 * The transport when things go wrong: the sidecar absent or stopped, slow, or answering
 * something that is not a valid gRPC response (tests/integration/php-bridge/bad-grpc-server.ts).
 * Every case must end as a GrpcException with a fitting code, within the deadline.
 */
final class TransportTest extends TestCase
{
    private function call(CurlChannel $channel, string $method, ?int $deadlineMs = null): GetTokenRequest
    {
        $r = $channel->unary('/bad.Service/' . $method, new GetTokenRequest(['id' => 'ping']), GetTokenRequest::class, $deadlineMs);
        \assert($r instanceof GetTokenRequest);

        return $r;
    }

    private function expectStatus(int $code, string $detail, callable $fn): GrpcException
    {
        try {
            $fn();
        } catch (GrpcException $e) {
            $this->assertSame(Status::name($code), $e->getStatusName(), $e->getMessage());
            $this->assertStringContainsString($detail, $e->getDetails());

            return $e;
        }
        $this->fail('expected a GrpcException ' . Status::name($code));
    }

    public function testSendsGrpcFramingAndHeaders(): void
    {
        $channel = new CurlChannel(TestEnv::badSocket($this), 1500);
        $echo = $this->call($channel, 'Echo');
        $this->assertSame('ping', $echo->id);
        $seen = $channel->lastMetadata();
        $this->assertSame('application/grpc', $seen['x-seen-content-type']);
        $this->assertSame('trailers', $seen['x-seen-te']);
        $this->assertSame('1500m', $seen['x-seen-grpc-timeout']);
        $this->assertSame(CurlChannel::USER_AGENT, $seen['x-seen-user-agent']);
        $this->assertSame('undefined', $seen['x-seen-bridge-version'], 'no install record: no version header');
        $this->assertSame('0', $seen['grpc-status']);
    }

    public function testSendsTheBridgeVersionWithEveryCall(): void
    {
        $channel = new CurlChannel(TestEnv::badSocket($this), 1500, bridgeVersion: '1.4.2');
        $this->call($channel, 'Echo');
        $this->assertSame('1.4.2', $channel->lastMetadata()['x-seen-bridge-version']);
        // A version that could break the header line is never sent.
        $bad = new CurlChannel(TestEnv::badSocket($this), 1500, bridgeVersion: "1.0\r\nx-evil: 1");
        $this->call($bad, 'Echo');
        $this->assertSame('undefined', $bad->lastMetadata()['x-seen-bridge-version']);
    }

    public function testSidecarAbsent(): void
    {
        $channel = new CurlChannel('/nonexistent/mailcow-scim/rpc.sock', 2000);
        $started = microtime(true);
        $this->expectStatus(Status::UNAVAILABLE, 'not reachable at /nonexistent/mailcow-scim/rpc.sock', fn () => (new StatusServiceClient($channel))->getStatus(new GetStatusRequest()));
        $this->assertLessThan(1.0, microtime(true) - $started, 'a missing socket fails at once');
    }

    public function testSidecarStoppedLeavingItsSocketFile(): void
    {
        $dir = sys_get_temp_dir() . '/mcs-php-' . bin2hex(random_bytes(4));
        mkdir($dir);
        $path = "$dir/rpc.sock";
        $server = stream_socket_server("unix://$path");
        fclose($server); // the file stays, nobody listens
        try {
            $this->expectStatus(Status::UNAVAILABLE, 'not reachable', fn () => (new StatusServiceClient(new CurlChannel($path, 2000)))->getStatus(new GetStatusRequest()));
        } finally {
            @unlink($path);
            @rmdir($dir);
        }
    }

    public function testDeadline(): void
    {
        $channel = new CurlChannel(TestEnv::badSocket($this));
        $started = microtime(true);
        $this->expectStatus(Status::DEADLINE_EXCEEDED, 'no answer within 300 ms', fn () => $this->call($channel, 'Slow', 300));
        $elapsed = microtime(true) - $started;
        $this->assertGreaterThan(0.25, $elapsed);
        $this->assertLessThan(1.5, $elapsed);
    }

    /** @return iterable<string, array{0: string, 1: int, 2: string}> */
    public static function malformed(): iterable
    {
        yield 'not gRPC at all' => ['NotGrpc', Status::INTERNAL, 'not gRPC (content-type "text/html")'];
        yield 'HTTP 503' => ['Http503', Status::UNAVAILABLE, 'HTTP 503'];
        yield 'no grpc-status' => ['NoStatus', Status::INTERNAL, 'no valid grpc-status'];
        yield 'truncated frame' => ['Truncated', Status::INTERNAL, 'frame is truncated'];
        yield 'frame header cut short' => ['ShortHeader', Status::INTERNAL, 'frame is truncated'];
        yield 'compressed without asking' => ['Compressed', Status::INTERNAL, 'compressed'];
        yield 'two messages for a unary call' => ['TwoMessages', Status::INTERNAL, 'more than one message'];
        yield 'garbage protobuf' => ['Garbage', Status::INTERNAL, 'malformed'];
        yield 'invalid UTF-8 in a string' => ['BadUtf8', Status::INTERNAL, 'not valid UTF-8'];
        yield 'status OK without a message' => ['Empty', Status::INTERNAL, 'no response message'];
        yield 'absurd length prefix' => ['Huge', Status::RESOURCE_EXHAUSTED, 'larger than'];
        yield 'stream reset' => ['Reset', Status::UNAVAILABLE, 'connection to the SCIM sidecar failed'];
        yield 'unknown method' => ['NoSuchMethod', Status::UNIMPLEMENTED, 'unknown method'];
    }

    /** @dataProvider malformed */
    public function testMalformedAnswers(string $method, int $code, string $detail): void
    {
        $this->expectStatus($code, $detail, fn () => $this->call(new CurlChannel(TestEnv::badSocket($this), 2000), $method));
    }

    public function testTrailersOnlyErrorCarriesDecodedMessageAndScimType(): void
    {
        $e = $this->expectStatus(Status::PERMISSION_DENIED, 'nope ü', fn () => $this->call(new CurlChannel(TestEnv::badSocket($this), 2000), 'TrailersOnlyError'));
        $this->assertSame('sensitive', $e->getScimType());
        $this->assertSame(403, $e->getScimStatus());
    }

    public function testErrorInTrailers(): void
    {
        $e = $this->expectStatus(Status::NOT_FOUND, 'no such token', fn () => $this->call(new CurlChannel(TestEnv::badSocket($this), 2000), 'ErrorInTrailers'));
        $this->assertNull($e->getScimType());
        $this->assertSame(404, $e->getScimStatus());
    }

    public function testHttp1ServerIsRefused(): void
    {
        $this->expectStatus(Status::UNAVAILABLE, 'connection to the SCIM sidecar failed', fn () => (new StatusServiceClient(new CurlChannel(getenv('MCS_TEST_H1_SOCKET') ?: TestEnv::badSocket($this), 2000)))->getStatus(new GetStatusRequest()));
    }

    public function testConnectionPerCallBeforeLibcurl8AndReuseAfter(): void
    {
        $channel = new CurlChannel(TestEnv::badSocket($this), 2000);
        $this->assertSame(CurlChannel::libcurlCanReuseConnections(), $channel->reusesConnections());
        $this->assertTrue(CurlChannel::libcurlHasHttp2(), 'PHP\'s libcurl must have HTTP/2');
        $sessions = [];
        for ($i = 0; $i < 4; $i++) {
            $this->assertSame('ping', $this->call($channel, 'Echo')->id);
            $sessions[] = (int) $channel->lastMetadata()['x-sessions'];
        }
        if ($channel->reusesConnections()) {
            // libcurl 8+: one connection for all calls of the channel.
            $this->assertSame(1, \count(array_unique($sessions)), implode(',', $sessions));
        } else {
            // libcurl 7.x (Debian 12 has 7.88): every call is a connection of its own.
            $this->assertSame(range($sessions[0], $sessions[0] + 3), $sessions);
        }
    }
}
