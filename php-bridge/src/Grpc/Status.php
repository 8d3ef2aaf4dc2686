<?php

declare(strict_types=1);

namespace MailcowScim\Grpc;

/** gRPC status codes (grpc/grpc doc/statuscodes.md). */
final class Status
{
    public const OK = 0;
    public const CANCELLED = 1;
    public const UNKNOWN = 2;
    public const INVALID_ARGUMENT = 3;
    public const DEADLINE_EXCEEDED = 4;
    public const NOT_FOUND = 5;
    public const ALREADY_EXISTS = 6;
    public const PERMISSION_DENIED = 7;
    public const RESOURCE_EXHAUSTED = 8;
    public const FAILED_PRECONDITION = 9;
    public const ABORTED = 10;
    public const OUT_OF_RANGE = 11;
    public const UNIMPLEMENTED = 12;
    public const INTERNAL = 13;
    public const UNAVAILABLE = 14;
    public const DATA_LOSS = 15;
    public const UNAUTHENTICATED = 16;

    private const NAMES = [
        0 => 'OK', 1 => 'CANCELLED', 2 => 'UNKNOWN', 3 => 'INVALID_ARGUMENT', 4 => 'DEADLINE_EXCEEDED',
        5 => 'NOT_FOUND', 6 => 'ALREADY_EXISTS', 7 => 'PERMISSION_DENIED', 8 => 'RESOURCE_EXHAUSTED',
        9 => 'FAILED_PRECONDITION', 10 => 'ABORTED', 11 => 'OUT_OF_RANGE', 12 => 'UNIMPLEMENTED',
        13 => 'INTERNAL', 14 => 'UNAVAILABLE', 15 => 'DATA_LOSS', 16 => 'UNAUTHENTICATED',
    ];

    public static function name(int $code): string
    {
        return self::NAMES[$code] ?? "CODE_$code";
    }

    /** gRPC's mapping of a non-200 HTTP status (grpc/grpc doc/http-grpc-status-mapping.md). */
    public static function fromHttpStatus(int $http): int
    {
        return match ($http) {
            400 => self::INTERNAL,
            401 => self::UNAUTHENTICATED,
            403 => self::PERMISSION_DENIED,
            404 => self::UNIMPLEMENTED,
            429, 502, 503, 504 => self::UNAVAILABLE,
            default => self::UNKNOWN,
        };
    }
}
