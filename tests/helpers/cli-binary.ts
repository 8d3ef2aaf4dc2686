/**
 * Runs the real `mailcow-scim` command (bin/mailcow-scim.js over dist/, which `npm test` builds
 * first) as an admin would, and returns what it printed and its exit status.
 * MAILCOW_SCIM_BIN points the tests at another build (to check a test fails against an older one).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_BIN = resolve(process.env.MAILCOW_SCIM_BIN ?? 'bin/mailcow-scim.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export function runBinary(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string } = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      // LOG_LEVEL is left out so the CLI keeps its quiet default, as on an admin's shell.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', fail);
    child.on('close', (code) =>
      done({
        code,
        stdout,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`not JSON (exit ${code}): ${stdout}\n${stderr}`);
          }
        },
      }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}
