<?php

declare(strict_types=1);

namespace MailcowScim;

/**
 * The install record `mailcow-scim install` writes next to the bridge's copy
 * (install-state.php, server/src/install/bridge-stamp.ts): the mailcow-scim version this copy
 * came from, and where every patch hunk ended up. A copy that was not put in place by install
 * (a development checkout) has none, and says so rather than guess a version.
 *
 * The record is read on demand, never while the bridge loads: mailcow loads the bridge on every
 * request, Dovecot's password checks included.
 */
final class InstallState
{
    public const FILE = 'install-state.php';

    /** @var array<string, self> */
    private static array $loaded = [];

    /**
     * @param array{version?: mixed, hunks?: mixed}|null $record
     */
    public function __construct(private readonly ?array $record)
    {
    }

    /** The record in $dir (default: the bridge's own directory), read once per request. */
    public static function load(?string $dir = null): self
    {
        $dir ??= __DIR__;
        if (!isset(self::$loaded[$dir])) {
            $path = $dir . '/' . self::FILE;
            $record = is_file($path) ? (static fn (string $p): mixed => include $p)($path) : null;
            self::$loaded[$dir] = new self(\is_array($record) ? $record : null);
        }

        return self::$loaded[$dir];
    }

    public function exists(): bool
    {
        return $this->record !== null;
    }

    /** The mailcow-scim version this copy came from ('' when there is no record). */
    public function version(): string
    {
        $v = $this->record['version'] ?? '';

        return \is_string($v) ? $v : '';
    }

    /**
     * @return list<array{id: string, file: string, hookPoint: int, state: string, purpose: string, impact: string, reason: string, block: list<string>}>
     */
    public function hunks(): array
    {
        $out = [];
        foreach (\is_array($this->record['hunks'] ?? null) ? $this->record['hunks'] : [] as $h) {
            if (!\is_array($h) || !\is_string($h['id'] ?? null) || !\is_string($h['file'] ?? null)) {
                continue;
            }
            $out[] = [
                'id' => $h['id'],
                'file' => $h['file'],
                'hookPoint' => (int) ($h['hookPoint'] ?? 0),
                'state' => (string) ($h['state'] ?? ''),
                'purpose' => (string) ($h['purpose'] ?? ''),
                'impact' => (string) ($h['impact'] ?? ''),
                'reason' => (string) ($h['reason'] ?? ''),
                'block' => array_values(array_map('strval', \is_array($h['block'] ?? null) ? $h['block'] : [])),
            ];
        }

        return $out;
    }
}
