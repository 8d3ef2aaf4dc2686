/**
 * The install record `mailcow-scim install` writes into the bridge's copy
 * (data/web/inc/mailcow-scim/install-state.php): the mailcow-scim version the bridge came from,
 * and where every patch hunk ended up (installed with its exact block, satisfied by mailcow
 * itself, or left out and why, with what that disables). It is written at install time from
 * package.json's version, so it cannot go stale; the bridge sends that version to the sidecar
 * with every call, and the admin page checks each hunk's block against mailcow's files live.
 *
 * It is PHP returning an array, not JSON: everything under data/web/ can be fetched through
 * nginx, and a PHP file only executes there (printing nothing).
 */
import { HUNKS } from './hunks.js';
import type { HunkOutcome } from './patch-piece.js';

export const BRIDGE_STAMP_FILE = 'install-state.php';

/** mailcow's web root inside the checkout: the bridge names files relative to it (/web in php-fpm). */
const WEB_ROOT = 'data/web/';

function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function phpValue(value: unknown, indent: string): string {
  if (typeof value === 'string') return phpString(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}    `;
    return `[\n${value.map((v) => `${inner}${phpValue(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const inner = `${indent}    `;
  return `[\n${entries.map(([k, v]) => `${inner}${phpString(k)} => ${phpValue(v, inner)},`).join('\n')}\n${indent}]`;
}

/** The record's PHP text; the same outcomes always give the same bytes (install stays idempotent). */
export function renderBridgeStamp(version: string, outcomes: readonly HunkOutcome[]): string {
  const order = new Map(HUNKS.map((h, i) => [h.id, i]));
  const hunks = [...outcomes]
    .sort((a, b) => order.get(a.hunk.id)! - order.get(b.hunk.id)!)
    .map((o) => ({
      id: o.hunk.id,
      file: o.hunk.file.startsWith(WEB_ROOT) ? o.hunk.file.slice(WEB_ROOT.length) : o.hunk.file,
      hookPoint: o.hunk.hookPoint,
      state: o.state,
      purpose: o.hunk.purpose,
      impact: o.hunk.impact,
      reason: o.reason,
      block: o.block,
    }));
  return [
    '<?php',
    `// Written by mailcow-scim install (mailcow-scim ${version}); the next install rewrites it. Do not edit.`,
    `return ${phpValue({ version, hunks }, '')};`,
    '',
  ].join('\n');
}

/** The version recorded in an install record ('' when there is none or it is not ours). */
export function readBridgeStampVersion(text: string | undefined): string {
  return /^ {4}'version' => '([^'\\]*)',$/m.exec(text ?? '')?.[1] ?? '';
}
