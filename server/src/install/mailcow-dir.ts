/**
 * Recognises a mailcow-dockerized checkout before anything is written to it: the compose
 * services, volumes and mounts the integration extends must be there (docs/mailcow-facts.md
 * §5.2–§5.3), so a wrong --mailcow-dir is refused instead of half-installed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MAILCOW_FILES } from './layout.js';

export interface MailcowTree {
  dir: string;
  /** mailcow.conf as key/value pairs ({} when absent). */
  conf: Record<string, string>;
  /** $db_version from init_db.inc.php ('' when not found). */
  dbVersion: string;
}

export async function readText(dir: string, rel: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, rel), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** KEY=value lines of mailcow.conf (mailcow's .env), ignoring comments. */
export function parseMailcowConf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** The `$db_version = "…";` value of init_db.inc.php. */
export function parseDbVersion(initDb: string): string {
  return /^\s*\$db_version\s*=\s*"([^"]+)"/m.exec(initDb)?.[1] ?? '';
}

type ComposeService = { volumes?: unknown[]; environment?: unknown };

function mounts(service: ComposeService | undefined): string[] {
  return (service?.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${(v as { source?: string }).source}:${(v as { target?: string }).target}`));
}

function hasMount(service: ComposeService | undefined, source: RegExp, target: RegExp): boolean {
  return mounts(service).some((m) => {
    const [src, dst] = m.split(':');
    return source.test(src ?? '') && target.test(dst ?? '');
  });
}

/**
 * Reads the tree, or returns every reason it does not look like mailcow. Nothing is written.
 */
export async function readMailcowTree(dir: string): Promise<{ tree?: MailcowTree; problems: string[] }> {
  const problems: string[] = [];
  const composeText = await readText(dir, MAILCOW_FILES.compose);
  if (composeText === undefined) {
    return { problems: [`${dir} has no ${MAILCOW_FILES.compose}: is --mailcow-dir the mailcow-dockerized checkout?`] };
  }
  let compose: { services?: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  try {
    compose = parseYaml(composeText) ?? {};
  } catch (e) {
    return { problems: [`${MAILCOW_FILES.compose} is not valid YAML: ${(e as Error).message}`] };
  }
  const services = compose.services ?? {};
  for (const name of ['php-fpm-mailcow', 'nginx-mailcow', 'mysql-mailcow', 'redis-mailcow']) {
    if (!services[name]) problems.push(`${MAILCOW_FILES.compose} has no service ${name}: this does not look like mailcow-dockerized`);
  }
  if (!compose.volumes || !('mysql-socket-vol-1' in compose.volumes)) {
    problems.push(`${MAILCOW_FILES.compose} has no volume mysql-socket-vol-1 (the MariaDB socket the sidecar shares with php-fpm)`);
  }
  if (services['nginx-mailcow'] && !hasMount(services['nginx-mailcow'], /^\.\/data\/conf\/nginx\/?$/, /^\/etc\/nginx\/conf\.d\/?$/)) {
    problems.push('nginx-mailcow does not mount ./data/conf/nginx/ at /etc/nginx/conf.d/, so site.scim.custom would not be read');
  }
  if (services['php-fpm-mailcow'] && !hasMount(services['php-fpm-mailcow'], /^\.\/data\/hooks\/phpfpm\/?$/, /^\/hooks\/?$/)) {
    problems.push('php-fpm-mailcow does not mount ./data/hooks/phpfpm at /hooks, so the ENUM guard hook would never run');
  }
  if (services['php-fpm-mailcow'] && !hasMount(services['php-fpm-mailcow'], /^\.\/data\/web\/?$/, /^\/web\/?$/)) {
    problems.push('php-fpm-mailcow does not mount ./data/web at /web, so the PHP bridge would not be found');
  }
  const initDb = await readText(dir, MAILCOW_FILES.initDb);
  if (initDb === undefined) problems.push(`${MAILCOW_FILES.initDb} is missing: this does not look like mailcow-dockerized`);
  const confText = await readText(dir, MAILCOW_FILES.conf);
  if (problems.length) return { problems };
  return { tree: { dir, conf: confText ? parseMailcowConf(confText) : {}, dbVersion: parseDbVersion(initDb!) }, problems };
}
