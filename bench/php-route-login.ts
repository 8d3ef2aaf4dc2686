/**
 * The PHP bridge's RouteLogin, timed from PHP over the sidecar's gRPC socket with the bridge's
 * own client (php-bridge/src), as mailcow's user_login() makes the call for a 'scim' mailbox.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface PhpRouteLogin {
  samples: number[];
  /** How many calls got each route (numbers of the LoginRoute enum). */
  routes: Record<string, number>;
  /** PHP's own CPU over the calls (getrusage), ms. */
  cpu: { userMs: number; sysMs: number };
}

/** Why the PHP measurement cannot run here, or undefined when it can. */
export function phpBridgeMissing(repoRoot: string): string | undefined {
  const src = join(repoRoot, 'php-bridge', 'src');
  const client = ['autoload.php', 'Bridge.php', 'Config.php', 'Gen/Mailcow/Scim/V1/LoginServiceClient.php'];
  if (!client.every((f) => existsSync(join(src, f)))) return 'php-bridge not present';
  if (spawnSync('php', ['-v'], { stdio: 'ignore' }).status !== 0) return 'php is not installed';
  return undefined;
}

/** @param bridgeSrc the bridge's src/ to call through (default: this checkout's), to compare two */
export async function measurePhpRouteLogin(
  repoRoot: string,
  rpcSocket: string,
  usernames: string[],
  calls: number,
  scratchDir: string,
  bridgeSrc = join(repoRoot, 'php-bridge', 'src'),
): Promise<PhpRouteLogin> {
  const file = join(scratchDir, 'route-login-usernames.txt');
  await writeFile(file, usernames.join('\n'));
  const script = join(repoRoot, 'bench', 'php', 'route-login.php');
  const { stdout } = await promisify(execFile)('php', [script, bridgeSrc, rpcSocket, String(calls), file], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as PhpRouteLogin;
}
