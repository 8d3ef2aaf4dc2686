/**
 * A summary of a V8 CPU profile (`node --cpu-prof`): where the sidecar spent its own CPU time,
 * by function and by package or source folder, so a missed target points at code.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Self time by function, highest first. */
  functions: { name: string; ms: number }[];
  /** Self time by package (node_modules/<pkg>), dist folder, or node internals. */
  areas: { name: string; ms: number }[];
}

function areaOf(url: string): string {
  if (!url) return '(program, gc, idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const dist = /\/dist\/([^/]+)(\/|\.js)/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  if (url.startsWith('node:')) return url;
  return url;
}

function top(map: Map<string, number>, n: number): { name: string; ms: number }[] {
  return [...map.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}

/** Summarises the .cpuprofile the sidecar wrote into `dir`. */
export async function summarizeCpuProfile(dir: string, limit = 25): Promise<ProfileSummary | undefined> {
  const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
    areas.set(areaOf(url), (areas.get(areaOf(url)) ?? 0) + us);
    total += us;
  }
  return { file: join(dir, file), totalMs: total / 1000, functions: top(functions, limit), areas: top(areas, 15) };
}
