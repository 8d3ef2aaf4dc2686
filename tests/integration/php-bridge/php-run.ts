/** Running PHP, buf and the PHP generator from the integration tests (never blocking the event loop: the sidecar runs in this process). */
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output; never throws on a non-zero exit. */
export function run(command: string, args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Generates PHP for the fixture module (tests/integration/php-bridge/fixtures) into `outDir`/php, namespace MailcowScim\TestGen. */
export async function generateFixturePhp(outDir: string): Promise<string> {
  const template = JSON.stringify({
    version: 'v2',
    plugins: [{ local: ['node', 'scripts/protoc-gen-php-lite.mjs'], out: 'php', strategy: 'all', opt: ['namespace=MailcowScim\\TestGen'] }],
  });
  const r = await run('npx', ['buf', 'generate', 'tests/integration/php-bridge/fixtures', '--template', template, '--output', outDir]);
  if (r.code !== 0) throw new Error(`buf generate (fixture) failed:\n${r.stderr}`);
  return `${outDir}/php`;
}
