<?php

declare(strict_types=1);

namespace MailcowScim\Grpc;

/**
 * A failed call. The code is a gRPC status; for errors the sidecar raised, `scim-code`,
 * `scim-type`, `scim-status` and `retry-after` come from its trailing metadata
 * (server/src/rpc/status.ts, docs/errors.md), so the admin page can show the exact reason.
 */
final class GrpcException extends \RuntimeException
{
    /** @param array<string, string> $metadata response headers and trailers, lower-case names */
    public function __construct(
        private readonly int $statusCode,
        private readonly string $details,
        private readonly array $metadata = [],
        private readonly string $method = '',
        ?\Throwable $previous = null,
    ) {
        parent::__construct(
            sprintf('%s%s: %s', $method !== '' ? "$method " : '', Status::name($statusCode), $details),
            $statusCode,
            $previous,
        );
    }

    public function getStatusCode(): int
    {
        return $this->statusCode;
    }

    public function getStatusName(): string
    {
        return Status::name($this->statusCode);
    }

    /** The server's message (grpc-message), or what went wrong on the way. */
    public function getDetails(): string
    {
        return $this->details;
    }

    /** The RFC 7644 scimType the sidecar attached, e.g. "invalidValue" or "uniqueness". */
    public function getScimType(): ?string
    {
        return $this->metadata['scim-type'] ?? null;
    }

    /** The sidecar's stable error code (docs/errors.md), e.g. "database_unreachable"; null when the sidecar did not answer. */
    public function getScimCode(): ?string
    {
        return $this->metadata['scim-code'] ?? null;
    }

    /** The HTTP status the sidecar's ScimError carried, e.g. 400 or 404. */
    public function getScimStatus(): ?int
    {
        $s = $this->metadata['scim-status'] ?? null;

        return $s !== null && ctype_digit($s) ? (int) $s : null;
    }

    /**
     * The field-level problems of a refused token policy (server/src/rpc/unary.ts): the JSON of
     * `scim-policy-problems-bin`, base64 on the wire as every `-bin` metadata value, each
     * {field, message, ruleIndex?, offset?, excerpt?}. Null when the sidecar sent none.
     *
     * @return list<array<string, mixed>>|null
     */
    public function getPolicyProblems(): ?array
    {
        $raw = $this->metadata['scim-policy-problems-bin'] ?? null;
        if ($raw === null) {
            return null;
        }
        $b64 = strtr(trim($raw), '-_', '+/');
        $json = base64_decode($b64 . str_repeat('=', (4 - strlen($b64) % 4) % 4), true);
        $problems = $json === false ? null : json_decode($json, true);

        return is_array($problems) && array_is_list($problems) ? $problems : null;
    }

    /** @return array<string, string> */
    public function getMetadata(): array
    {
        return $this->metadata;
    }

    public function getMethod(): string
    {
        return $this->method;
    }

    /** True when the sidecar could not be reached or did not answer in time. */
    public function isUnavailable(): bool
    {
        return \in_array($this->statusCode, [Status::UNAVAILABLE, Status::DEADLINE_EXCEEDED], true);
    }
}
