<?php

declare(strict_types=1);

namespace MailcowScim\Admin;

/** One HTTP answer of the admin API. */
final class AdminResponse
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly string $body,
        public readonly array $headers,
    ) {
    }

    /** @param array<string, mixed> $payload */
    public static function json(int $status, array $payload): self
    {
        return new self($status, json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), [
            'Content-Type' => 'application/json; charset=utf-8',
            // Answers can carry a freshly issued token: never cached anywhere.
            'Cache-Control' => 'no-store',
            'X-Content-Type-Options' => 'nosniff',
        ]);
    }

    /** @param array<string, mixed>|null $details */
    public static function error(int $status, string $code, string $message, ?array $details = null): self
    {
        return self::json($status, ['ok' => false, 'error' => ['code' => $code, 'message' => $message] + ($details ?? [])]);
    }
}
