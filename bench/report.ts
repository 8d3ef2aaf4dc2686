/**
 * What a benchmark run prints and keeps: one line per figure (`NAME: value (ratio X vs …)`),
 * a table, and the whole result as JSON under .bench-results/ (git-ignored).
 */
import { cpus, release, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface Figure {
  name: string;
  /** Undefined when the figure was skipped (then `note` says why). */
  value?: number;
  unit: string;
  /** value ÷ reference.value. */
  ratio?: number;
  reference?: { label: string; value: number };
  /** The product target this figure is held to, and whether it is met. */
  target?: { text: string; met: boolean };
  note?: string;
}

/** A figure compared with a reference measured in the same run. */
export function compared(name: string, value: number, unit: string, referenceLabel: string, reference: number, note?: string): Figure {
  return { name, value, unit, ratio: reference > 0 ? value / reference : undefined, reference: { label: referenceLabel, value: reference }, note };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  mariadb: string;
  innodbFlushLogAtTrxCommit: string;
  innodbBufferPoolMiB: number;
  nginx: string | null;
  php: string | null;
}

function versionOf(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? null;
}

export async function describeMachine(pool: Pool): Promise<Machine> {
  const [[v]] = await pool.query<RowDataPacket[]>(`SELECT VERSION() AS v, @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b`);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    mariadb: String(v!.v),
    innodbFlushLogAtTrxCommit: String(v!.f),
    innodbBufferPoolMiB: Math.round(Number(v!.b) / 2 ** 20),
    nginx: versionOf('nginx', ['-v'])?.replace(/^nginx version: /, '') ?? null,
    php: versionOf('php', ['-v']),
  };
}

function fmt(n: number): string {
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** `NAME: value unit (ratio X vs reference)`, the line the issue asks for. */
export function figureLine(f: Figure): string {
  if (f.value === undefined) return `${f.name}: ${f.note ?? 'skipped'}`;
  const ratio = f.ratio === undefined ? '' : ` (ratio ${f.ratio.toFixed(2)} vs ${f.reference!.label} ${fmt(f.reference!.value)} ${f.unit})`;
  const target = f.target ? ` [target ${f.target.text}: ${f.target.met ? 'met' : 'MISSED'}]` : '';
  return `${f.name}: ${fmt(f.value)} ${f.unit}${ratio}${target}`;
}

export function figureTable(figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'value', 'reference', 'ratio', 'target'],
    ...figures.map((f) => [
      f.name,
      f.value === undefined ? (f.note ?? 'skipped') : `${fmt(f.value)} ${f.unit}`,
      f.reference ? `${f.reference.label} ${fmt(f.reference.value)}` : '',
      f.ratio === undefined ? '' : f.ratio.toFixed(2),
      f.target ? `${f.target.text} ${f.target.met ? 'met' : 'MISSED'}` : '',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Writes the run to .bench-results/<time>-<mode>.json and latest-<mode>.json; returns the first path. */
export async function saveResults(repoRoot: string, mode: string, result: unknown): Promise<string> {
  const dir = join(repoRoot, '.bench-results');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}-${mode}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(join(dir, `latest-${mode}.json`), text);
  return file;
}
