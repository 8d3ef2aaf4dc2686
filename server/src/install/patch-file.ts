/**
 * Applies, checks and reverts hunks on the text of one file. Lines keep their own line endings
 * (two of mailcow's PHP files use CRLF): untouched lines stay byte for byte, new lines take the
 * file's dominant ending, and a reverted file is identical to the original.
 */
import { describeMatch, lineMatches, type Hunk, type HunkScope } from './hunk.js';
import { beginMarker, endMarker, indentOf, parseMarker, wasMarker, type CommentStyle } from './markers.js';

/** A file's text as lines; each line may end in \r (the \n is the separator). */
export interface FileText {
  lines: string[];
  crlf: boolean;
}

export function splitText(text: string): FileText {
  const lines = text.split('\n');
  const crlfCount = lines.filter((l) => l.endsWith('\r')).length;
  return { lines, crlf: crlfCount > 0 && crlfCount >= (lines.length - 1) / 2 };
}

export function joinText(t: FileText): string {
  return t.lines.join('\n');
}

export type HunkState =
  /** Our block is there, exactly as this version writes it. */
  | { kind: 'applied'; begin: number; end: number }
  /** Our block is there but was written by another mailcow-scim version: re-apply. */
  | { kind: 'outdated'; begin: number; end: number; original: string[] }
  /** Not applied; the anchor was found once, at `at` (the first target line). */
  | { kind: 'pending'; at: number }
  /** Not applied and not needed: mailcow's code already does it. */
  | { kind: 'satisfied' }
  /** The anchor is missing or ambiguous: this is not the mailcow code the patch expects. */
  | { kind: 'drifted'; reason: string }
  /** Markers are there but broken (half a block, a duplicate): a merge went wrong. */
  | { kind: 'damaged'; reason: string };

const bare = (line: string) => line.replace(/\r$/, '');

function findScope(lines: string[], scopes: HunkScope[]): { from: number; to: number } | { missing: string } {
  let from = 0;
  let to = lines.length;
  for (const s of scopes) {
    const starts: number[] = [];
    for (let i = from; i < to; i++) if (lineMatches(lines[i]!, s.start)) starts.push(i);
    if (starts.length !== 1) return { missing: `${s.label} was ${starts.length === 0 ? 'not found' : `found ${starts.length} times`}` };
    const start = starts[0]!;
    let end = to;
    for (let i = start + 1; i < to; i++) {
      if (s.end.test(bare(lines[i]!))) {
        end = i;
        break;
      }
    }
    from = start + 1;
    to = end;
  }
  return { from, to };
}

function matchesAt(lines: string[], at: number, hunk: Hunk): boolean {
  if (at < (hunk.before?.length ?? 0) || at + hunk.target.length > lines.length) return false;
  if (!hunk.target.every((m, k) => lineMatches(lines[at + k]!, m))) return false;
  const before = hunk.before ?? [];
  return before.every((m, k) => lineMatches(lines[at - before.length + k]!, m));
}

function expectedBlock(style: CommentStyle, hunk: Hunk, original: string[]): { indent: string; body: string[] } {
  const added = hunk.lines(original.map(bare));
  if (hunk.mode === 'replace') {
    const indent = indentOf(bare(original[0]!));
    return { indent, body: [...original.map((l) => wasMarker(style, indent, bare(l))), ...added] };
  }
  return { indent: indentOf(added[0] ?? ''), body: added };
}

/** Where the hunk stands in this text. */
export function inspectHunk(text: FileText, style: CommentStyle, hunk: Hunk): HunkState {
  const { lines } = text;
  const begins: number[] = [];
  const ends: number[] = [];
  lines.forEach((line, i) => {
    const m = parseMarker(style, bare(line));
    if (m?.kind === 'begin' && m.id === hunk.id) begins.push(i);
    if (m?.kind === 'end' && m.id === hunk.id) ends.push(i);
  });

  if (begins.length > 0 || ends.length > 0) {
    if (begins.length !== 1 || ends.length !== 1 || ends[0]! <= begins[0]!) {
      return { kind: 'damaged', reason: `its markers are incomplete (${begins.length} begin, ${ends.length} end)` };
    }
    const begin = begins[0]!;
    const end = ends[0]!;
    const inner = lines.slice(begin + 1, end).map(bare);
    let original: string[];
    if (hunk.mode === 'replace') {
      const was: string[] = [];
      for (const line of inner) {
        const m = parseMarker(style, line);
        if (m?.kind !== 'was') break;
        was.push(m.original);
      }
      if (was.length !== hunk.target.length) return { kind: 'damaged', reason: `its block records ${was.length} original line(s), expected ${hunk.target.length}` };
      original = was;
    } else {
      const at = begin - hunk.target.length;
      if (!matchesAt(lines, at, hunk)) return { kind: 'damaged', reason: 'the line it follows is no longer the expected anchor' };
      original = lines.slice(at, begin).map(bare);
    }
    const expected = expectedBlock(style, hunk, original);
    const same =
      inner.length === expected.body.length &&
      inner.every((l, k) => l === expected.body[k]) &&
      bare(lines[begin]!) === beginMarker(style, expected.indent, hunk.id) &&
      bare(lines[end]!) === endMarker(style, expected.indent, hunk.id);
    return same ? { kind: 'applied', begin, end } : { kind: 'outdated', begin, end, original };
  }

  const scope = findScope(lines, hunk.scopes);
  if ('missing' in scope) return { kind: 'drifted', reason: scope.missing };
  const hits: number[] = [];
  for (let i = scope.from; i < scope.to; i++) if (matchesAt(lines, i, hunk)) hits.push(i);
  if (hits.length !== 1) {
    const where = hunk.scopes[hunk.scopes.length - 1]?.label ?? 'the file';
    const what = hunk.target.map(describeMatch).join(' / ');
    return { kind: 'drifted', reason: `\`${what}\` was ${hits.length === 0 ? 'not found' : `found ${hits.length} times`} in ${where}` };
  }
  const at = hits[0]!;
  if (hunk.isSatisfied?.(lines.slice(at, at + hunk.target.length).map(bare))) return { kind: 'satisfied' };
  return { kind: 'pending', at };
}

function withEnding(text: FileText, line: string): string {
  return text.crlf ? `${line}\r` : line;
}

/** Writes the hunk's block at a pending anchor. */
export function applyHunk(text: FileText, style: CommentStyle, hunk: Hunk, at: number): FileText {
  const lines = [...text.lines];
  const original = lines.slice(at, at + hunk.target.length);
  const { indent, body } = expectedBlock(style, hunk, original);
  const block = [beginMarker(style, indent, hunk.id), ...body, endMarker(style, indent, hunk.id)].map((l) => withEnding(text, l));
  if (hunk.mode === 'replace') lines.splice(at, hunk.target.length, ...block);
  else lines.splice(at + hunk.target.length, 0, ...block);
  return { ...text, lines };
}

/** Removes the block, putting back the recorded original lines (with the file's line ending). */
export function revertHunk(text: FileText, style: CommentStyle, hunk: Hunk, begin: number, end: number): FileText {
  const lines = [...text.lines];
  const restored: string[] = [];
  if (hunk.mode === 'replace') {
    for (const line of lines.slice(begin + 1, end)) {
      const m = parseMarker(style, bare(line));
      if (m?.kind !== 'was') break;
      restored.push(withEnding(text, m.original));
    }
  }
  lines.splice(begin, end - begin + 1, ...restored);
  return { ...text, lines };
}
