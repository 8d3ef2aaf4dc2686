<?php

declare(strict_types=1);

namespace MailcowScim\Admin;

use MailcowScim\InstallState;

/**
 * Whether mailcow's files still carry what mailcow-scim needs (update.sh can drop patch hunks
 * silently, so the admin page must notice). The install record lists every hunk install wrote,
 * with its exact block; each block is looked for in mailcow's file as it is now, so the page
 * tells what actually runs. A hunk install had to leave out (mailcow's code there changed) is
 * named with what it disables. `mailcow-scim doctor` and `install --check` report the same from
 * the host.
 */
final class InstallCheck
{
    private readonly InstallState $state;

    public function __construct(private readonly string $webRoot, ?InstallState $state = null)
    {
        $this->state = $state ?? InstallState::load(\dirname(__DIR__));
    }

    /**
     * One entry per check: `state` is ok, missing (was installed, is gone), left-out (install
     * could not place it) or unknown (no install record).
     *
     * @return list<array{id: string, file: string, ok: bool, state: string, detail: string, impact: string}>
     */
    public function run(): array
    {
        $results = [$this->bridgeLoaded()];
        if (!$this->state->exists()) {
            $results[] = [
                'id' => 'install-record',
                'file' => 'inc/mailcow-scim/' . InstallState::FILE,
                'ok' => false,
                'state' => 'unknown',
                'detail' => 'This copy of the bridge has no install record, so neither its version nor mailcow\'s patch can be checked: run mailcow-scim install.',
                'impact' => '',
            ];

            return $results;
        }
        $files = [];
        foreach ($this->state->hunks() as $h) {
            $text = $files[$h['file']] ??= $this->read($h['file']);
            $entry = ['id' => $h['id'], 'file' => $h['file'], 'impact' => $h['impact']];
            if ($h['state'] === 'satisfied') {
                $results[] = $entry + ['ok' => true, 'state' => 'ok', 'detail' => $h['purpose'] . " (mailcow's own code does this)"];
            } elseif ($h['state'] !== 'installed') {
                $results[] = $entry + [
                    'ok' => false,
                    'state' => 'left-out',
                    'detail' => "Left out by install: mailcow's code at hook point {$h['hookPoint']} is not what mailcow-scim expects. {$h['impact']}",
                ];
            } elseif ($text !== null && $h['block'] !== [] && str_contains($text, implode("\n", $h['block']) . "\n")) {
                $results[] = $entry + ['ok' => true, 'state' => 'ok', 'detail' => $h['purpose']];
            } else {
                $results[] = $entry + [
                    'ok' => false,
                    'state' => 'missing',
                    'detail' => ($text === null ? "{$h['file']} is missing or unreadable. " : 'No longer in mailcow\'s file (a mailcow update may have dropped it; run mailcow-scim install again). ') . $h['impact'],
                ];
            }
        }

        return $results;
    }

    /** @return array{id: string, file: string, ok: bool, state: string, detail: string, impact: string} */
    private function bridgeLoaded(): array
    {
        $text = $this->read('inc/vars.local.inc.php');
        $ok = $text !== null && str_contains($text, 'mailcow-scim');

        return [
            'id' => 'bridge-loaded',
            'file' => 'inc/vars.local.inc.php',
            'ok' => $ok,
            'state' => $ok ? 'ok' : 'missing',
            'detail' => $ok ? 'vars.local.inc.php loads the bridge' : 'vars.local.inc.php does not load the bridge: SCIM users cannot log in, and this page depends on a fallback.',
            'impact' => 'mailcow cannot reach the sidecar: SCIM users cannot log in.',
        ];
    }

    /** A file under the web root with \n line endings (two of mailcow's PHP files use CRLF), or null. */
    private function read(string $file): ?string
    {
        $path = rtrim($this->webRoot, '/') . '/' . $file;
        if (!is_readable($path)) {
            return null;
        }

        return str_replace("\r\n", "\n", (string) file_get_contents($path));
    }
}
