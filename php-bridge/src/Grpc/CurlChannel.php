<?php

declare(strict_types=1);

namespace MailcowScim\Grpc;

use MailcowScim\Protobuf\DecodeException;
use MailcowScim\Protobuf\Message;

/**
 * gRPC unary calls over a Unix socket with PHP's curl: HTTP/2 with prior knowledge,
 * `content-type: application/grpc`, `te: trailers`, one length-prefixed message each way, and
 * the status read from the trailers (or from the headers of a trailers-only answer), as the
 * gRPC over HTTP/2 protocol (grpc/grpc doc/PROTOCOL-HTTP2.md) describes.
 *
 * Connections: libcurl before 8.0 (Debian 12 ships 7.88) cannot safely reuse an HTTP/2
 * prior-knowledge connection over a Unix socket, so each call opens and closes its own there;
 * from 8.0 on, calls made through one channel share a connection (docs/architecture.md §6).
 * Either way the calls of one channel share one curl handle.
 *
 * Every call has a deadline: it is sent as `grpc-timeout` and enforced by curl, so a slow or
 * hung sidecar costs a caller at most that long.
 */
final class CurlChannel implements UnaryChannel
{
    public const USER_AGENT = 'mailcow-scim-php-bridge/1';
    /**
     * Every call carries the bridge's version, so the sidecar can show a version skew between
     * itself and the bridge (metrics, GetStatus, doctor) without waiting for the admin page.
     */
    public const VERSION_HEADER = 'mailcow-scim-bridge-version';

    /**
     * What curl_version() says, read once per process: the loaded libcurl cannot change under a
     * running PHP, and the call builds its whole answer (protocols, versions) each time.
     *
     * @var array{version_number: int, features: int}|null
     */
    private static ?array $libcurl = null;

    private ?\CurlHandle $handle = null;
    private readonly bool $reuse;
    /** @var list<string> the version header; none when the version is missing or malformed */
    private readonly array $versionHeader;
    /** @var array<string, string> */
    private array $lastMetadata = [];

    /**
     * @param bool|null $reuseConnections null decides from the libcurl version
     */
    public function __construct(
        private readonly string $socketPath,
        private readonly int $defaultDeadlineMs = 3000,
        private readonly int $maxResponseBytes = 4 * 1024 * 1024,
        ?bool $reuseConnections = null,
        string $bridgeVersion = '',
    ) {
        $this->reuse = $reuseConnections ?? self::libcurlCanReuseConnections();
        $this->versionHeader = preg_match('/^[0-9A-Za-z.+~-]{1,64}$/', $bridgeVersion) === 1 ? [self::VERSION_HEADER . ': ' . $bridgeVersion] : [];
    }

    public function __destruct()
    {
        $this->close();
    }

    /** @return array{version_number: int, features: int} */
    private static function libcurl(): array
    {
        if (self::$libcurl === null) {
            $v = curl_version();
            self::$libcurl = ['version_number' => (int) ($v['version_number'] ?? 0), 'features' => (int) ($v['features'] ?? 0)];
        }

        return self::$libcurl;
    }

    /** libcurl 8.0 or newer (earlier versions get one connection per call). */
    public static function libcurlCanReuseConnections(): bool
    {
        return self::libcurl()['version_number'] >= 0x080000;
    }

    /** Whether PHP's libcurl can speak HTTP/2 at all (without it no call can succeed). */
    public static function libcurlHasHttp2(): bool
    {
        return \defined('CURL_VERSION_HTTP2') && (self::libcurl()['features'] & CURL_VERSION_HTTP2) !== 0;
    }

    public function reusesConnections(): bool
    {
        return $this->reuse;
    }

    public function socketPath(): string
    {
        return $this->socketPath;
    }

    /**
     * Headers and trailers of the last answer (lower-case names), for diagnostics.
     *
     * @return array<string, string>
     */
    public function lastMetadata(): array
    {
        return $this->lastMetadata;
    }

    public function close(): void
    {
        if ($this->handle !== null) {
            curl_close($this->handle);
            $this->handle = null;
        }
    }

    public function unary(string $path, Message $request, string $responseClass, ?int $deadlineMs = null): Message
    {
        $deadlineMs = max(1, $deadlineMs ?? $this->defaultDeadlineMs);
        $method = ltrim($path, '/');
        if (!self::libcurlHasHttp2()) {
            throw new GrpcException(Status::UNAVAILABLE, 'PHP\'s libcurl has no HTTP/2 support, which gRPC needs', [], $method);
        }
        try {
            $payload = $request->toBinary();
        } catch (\InvalidArgumentException $e) {
            throw new GrpcException(Status::INVALID_ARGUMENT, 'request could not be encoded: ' . $e->getMessage(), [], $method, $e);
        }

        $headers = [];
        $trailers = [];
        $httpStatus = 0;
        $inTrailers = false;
        $body = '';
        $tooLarge = false;

        // One easy handle per channel either way: a fresh handle per call also costs libcurl a
        // new internal multi handle with its wake-up socket pair (7 syscalls of ~40 per call on
        // 7.88). Without reuse, FRESH_CONNECT and FORBID_REUSE below still give every call a
        // connection of its own.
        $ch = ($this->handle ??= curl_init());
        curl_setopt_array($ch, [
            CURLOPT_URL => 'http://localhost' . $path,
            CURLOPT_UNIX_SOCKET_PATH => $this->socketPath,
            CURLOPT_HTTP_VERSION => CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => "\0" . pack('N', \strlen($payload)) . $payload,
            CURLOPT_HTTPHEADER => [
                'content-type: application/grpc',
                'te: trailers',
                'grpc-timeout: ' . $deadlineMs . 'm',
                'user-agent: ' . self::USER_AGENT,
                'expect:',
                ...$this->versionHeader,
            ],
            CURLOPT_TIMEOUT_MS => $deadlineMs,
            CURLOPT_CONNECTTIMEOUT_MS => min($deadlineMs, 1000),
            CURLOPT_NOSIGNAL => true,
            CURLOPT_FORBID_REUSE => !$this->reuse,
            CURLOPT_FRESH_CONNECT => !$this->reuse,
            CURLOPT_HEADERFUNCTION => static function ($_ch, string $line) use (&$headers, &$trailers, &$httpStatus, &$inTrailers): int {
                $trimmed = rtrim($line, "\r\n");
                if (str_starts_with($trimmed, 'HTTP/') && preg_match('#^HTTP/\S+\s+(\d{3})#', $trimmed, $m)) {
                    // A new status line (after an interim 1xx answer) starts the headers over.
                    $httpStatus = (int) $m[1];
                    $headers = [];
                    $inTrailers = false;
                } elseif ($trimmed === '') {
                    $inTrailers = $httpStatus >= 200;
                } elseif (($colon = strpos($trimmed, ':')) !== false) {
                    $name = strtolower(trim(substr($trimmed, 0, $colon)));
                    $value = trim(substr($trimmed, $colon + 1));
                    if ($inTrailers) {
                        $trailers[$name] = isset($trailers[$name]) ? $trailers[$name] . ', ' . $value : $value;
                    } else {
                        $headers[$name] = isset($headers[$name]) ? $headers[$name] . ', ' . $value : $value;
                    }
                }

                return \strlen($line);
            },
            CURLOPT_WRITEFUNCTION => function ($_ch, string $chunk) use (&$body, &$tooLarge): int {
                if (\strlen($body) + \strlen($chunk) > $this->maxResponseBytes + 5) {
                    $tooLarge = true;

                    return 0; // makes curl abort the transfer
                }
                $body .= $chunk;

                return \strlen($chunk);
            },
        ]);

        $ok = curl_exec($ch);
        $errno = curl_errno($ch);
        $error = curl_error($ch);
        // Back to defaults for the next call; this also drops the callbacks, which hold this
        // call's buffers.
        curl_reset($ch);

        // Trailers win over headers of the same name (a trailers-only answer has only headers).
        $metadata = array_merge($headers, $trailers);
        $this->lastMetadata = $metadata;
        if ($ok === false || $errno !== 0) {
            throw $this->transportError($errno, $error, $tooLarge, $deadlineMs, $metadata, $method);
        }
        if ($httpStatus !== 200) {
            throw new GrpcException(Status::fromHttpStatus($httpStatus), "the sidecar answered HTTP $httpStatus instead of a gRPC response", $metadata, $method);
        }
        $statusText = $metadata['grpc-status'] ?? null;
        if ($statusText === null || !ctype_digit($statusText)) {
            $contentType = $headers['content-type'] ?? '';
            $why = str_starts_with($contentType, 'application/grpc')
                ? 'the answer has no valid grpc-status'
                : sprintf('the answer is not gRPC (content-type "%s")', $contentType);
            throw new GrpcException(Status::INTERNAL, $why, $metadata, $method);
        }
        $status = (int) $statusText;
        if ($status !== Status::OK) {
            throw new GrpcException($status, self::decodeGrpcMessage($metadata['grpc-message'] ?? ''), $metadata, $method);
        }
        if (!str_starts_with($headers['content-type'] ?? '', 'application/grpc')) {
            throw new GrpcException(Status::INTERNAL, sprintf('the answer is not gRPC (content-type "%s")', $headers['content-type'] ?? ''), $metadata, $method);
        }

        return $this->decodeBody($body, $responseClass, $metadata, $method);
    }

    /**
     * @param class-string<Message> $responseClass
     * @param array<string, string> $metadata
     */
    private function decodeBody(string $body, string $responseClass, array $metadata, string $method): Message
    {
        $length = \strlen($body);
        if ($length === 0) {
            throw new GrpcException(Status::INTERNAL, 'the answer carries no response message', $metadata, $method);
        }
        if ($length < 5) {
            throw new GrpcException(Status::INTERNAL, 'the response message frame is truncated', $metadata, $method);
        }
        $compressed = \ord($body[0]);
        $declared = unpack('N', substr($body, 1, 4))[1];
        if ($compressed !== 0) {
            throw new GrpcException(Status::INTERNAL, 'the response message is compressed, which this client never asked for', $metadata, $method);
        }
        if ($declared > $this->maxResponseBytes) {
            throw new GrpcException(Status::RESOURCE_EXHAUSTED, "the response message is larger than {$this->maxResponseBytes} bytes", $metadata, $method);
        }
        if ($length < 5 + $declared) {
            throw new GrpcException(Status::INTERNAL, "the response message frame is truncated ($length of " . (5 + $declared) . ' bytes)', $metadata, $method);
        }
        if ($length > 5 + $declared) {
            throw new GrpcException(Status::INTERNAL, 'a unary call answered with more than one message', $metadata, $method);
        }
        try {
            return $responseClass::fromBinary(substr($body, 5, $declared));
        } catch (DecodeException $e) {
            throw new GrpcException(Status::INTERNAL, 'the response message is malformed: ' . $e->getMessage(), $metadata, $method, $e);
        }
    }

    /** @param array<string, string> $metadata */
    private function transportError(int $errno, string $error, bool $tooLarge, int $deadlineMs, array $metadata, string $method): GrpcException
    {
        if ($tooLarge) {
            return new GrpcException(Status::RESOURCE_EXHAUSTED, "the answer is larger than {$this->maxResponseBytes} bytes", $metadata, $method);
        }
        if ($errno === CURLE_OPERATION_TIMEOUTED) {
            return new GrpcException(Status::DEADLINE_EXCEEDED, "no answer within {$deadlineMs} ms ($error)", $metadata, $method);
        }
        if ($errno === CURLE_COULDNT_CONNECT) {
            return new GrpcException(Status::UNAVAILABLE, "the SCIM sidecar is not reachable at {$this->socketPath} ($error)", $metadata, $method);
        }

        // Connection reset, empty reply, HTTP/2 framing errors: the far end is not a working gRPC server.
        return new GrpcException(Status::UNAVAILABLE, "the connection to the SCIM sidecar failed (curl error $errno: $error)", $metadata, $method);
    }

    /** grpc-message is percent-encoded UTF-8 (PROTOCOL-HTTP2.md); anything undecodable is shown as sent. */
    private static function decodeGrpcMessage(string $raw): string
    {
        $decoded = rawurldecode($raw);

        return preg_match('//u', $decoded) === 1 ? $decoded : $raw;
    }
}
