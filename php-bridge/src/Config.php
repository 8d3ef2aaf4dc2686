<?php

declare(strict_types=1);

namespace MailcowScim;

/**
 * Where the sidecar is and how long the bridge waits for it. Read once per request from the
 * array `$MAILCOW_SCIM` (set in vars.local.inc.php before the bridge is loaded) and then the
 * environment (php-fpm keeps it: `clear_env = no`, docs/mailcow-facts.md §5.4).
 */
final class Config
{
    public const DEFAULT_RPC_SOCKET = '/run/mailcow-scim/rpc.sock';

    public function __construct(
        /** The sidecar's gRPC Unix socket. */
        public readonly string $rpcSocket = self::DEFAULT_RPC_SOCKET,
        /** Deadline of a login decision: what a SCIM user's login waits at most when the sidecar hangs. */
        public readonly int $loginDeadlineMs = 2500,
        /** Deadline of an admin page call. */
        public readonly int $adminDeadlineMs = 5000,
        /** Share one connection between a request's calls; null decides from the libcurl version (8.0+). */
        public readonly ?bool $reuseConnections = null,
    ) {
    }

    /**
     * @param array<string, mixed>|null $settings rpc_socket, login_deadline_ms, admin_deadline_ms, reuse_connections
     * @param array<string, string>|null $env defaults to getenv()
     */
    public static function load(?array $settings = null, ?array $env = null): self
    {
        $settings ??= \is_array($GLOBALS['MAILCOW_SCIM'] ?? null) ? $GLOBALS['MAILCOW_SCIM'] : [];
        $env ??= getenv();
        $pick = static function (string $key, string $envName) use ($settings, $env): ?string {
            $v = $settings[$key] ?? ($env[$envName] ?? null);
            if (\is_bool($v)) {
                $v = $v ? '1' : '0';
            }

            return $v === null || trim((string) $v) === '' ? null : trim((string) $v);
        };
        $ms = static function (?string $v, int $default): int {
            return $v !== null && ctype_digit($v) && (int) $v > 0 && (int) $v <= 60000 ? (int) $v : $default;
        };

        $reuse = strtolower($pick('reuse_connections', 'SCIM_RPC_REUSE_CONNECTIONS') ?? 'auto');

        return new self(
            $pick('rpc_socket', 'SCIM_RPC_SOCKET') ?? self::DEFAULT_RPC_SOCKET,
            $ms($pick('login_deadline_ms', 'SCIM_LOGIN_DEADLINE_MS'), 2500),
            $ms($pick('admin_deadline_ms', 'SCIM_ADMIN_DEADLINE_MS'), 5000),
            \in_array($reuse, ['1', 'true', 'yes', 'on'], true) ? true : (\in_array($reuse, ['0', 'false', 'no', 'off'], true) ? false : null),
        );
    }
}
