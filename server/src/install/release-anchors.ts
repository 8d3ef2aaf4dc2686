/**
 * What of a mailcow file the patch depends on: the lines its signatures, scopes and anchors
 * match, at their line numbers. Every other line is irrelevant to where (and whether) a hunk
 * applies, so a "skeleton" holding only these lines, blank elsewhere, gives the patch exactly
 * the answers the whole file gives. That lets the test suite prove the patch against every
 * mailcow release (tests/fixtures/mailcow-releases/) from mailcow's anchor lines alone, without
 * a copy of mailcow's code; `npm run check:mailcow-releases` re-extracts them from a mailcow
 * clone (docs/development.md).
 */
import { HUNKS, PATCHED_FILES } from './hunks.js';
import { lineMatches, type LineMatch } from './hunk.js';

export interface AnchorView {
  /** Lines in the file (split on \n; a CRLF file's lines keep their \r). */
  lineCount: number;
  /** Most lines end in \r: the skeleton's blank lines do too. */
  crlf: boolean;
  /** Line index (0-based) → the line verbatim. */
  lines: Record<string, string>;
}

const bare = (line: string) => line.replace(/\r$/, '');

/** The lines of one patched file that the patch's decisions depend on. */
export function anchorView(file: string, text: string): AnchorView {
  const lines = text.split('\n');
  const keep = new Set<number>();
  const pf = PATCHED_FILES.find((p) => p.file === file);
  if (!pf) throw new Error(`${file} is not a file the patch touches`);
  for (const sig of pf.signatures) {
    const i = lines.findIndex((l) => lineMatches(l, sig));
    if (i >= 0) keep.add(i);
  }
  for (const h of HUNKS.filter((x) => x.file === file)) {
    let from = 0;
    let to = lines.length;
    let found = true;
    for (const s of h.scopes) {
      const starts: number[] = [];
      for (let i = from; i < to; i++) if (lineMatches(lines[i]!, s.start)) starts.push(i);
      starts.forEach((i) => keep.add(i));
      if (starts.length !== 1) {
        found = false;
        break;
      }
      let end = to;
      for (let i = starts[0]! + 1; i < to; i++) {
        if (s.end.test(bare(lines[i]!))) {
          end = i;
          keep.add(i);
          break;
        }
      }
      from = starts[0]! + 1;
      to = end;
    }
    if (!found) continue;
    const matches: LineMatch[] = [...h.target, ...(h.before ?? [])];
    for (let i = from; i < to; i++) if (matches.some((m) => lineMatches(lines[i]!, m))) keep.add(i);
  }
  const crlfCount = lines.filter((l) => l.endsWith('\r')).length;
  return {
    lineCount: lines.length,
    crlf: crlfCount > 0 && crlfCount >= (lines.length - 1) / 2,
    lines: Object.fromEntries([...keep].sort((a, b) => a - b).map((i) => [String(i), lines[i]!])),
  };
}

/** The skeleton text of a view: its lines in place, blank lines everywhere else. */
export function skeletonOf(view: AnchorView): string {
  const blank = view.crlf ? '\r' : '';
  const out = Array.from({ length: view.lineCount }, (_, i) => view.lines[String(i)] ?? blank);
  // The last "line" after a final newline is empty, not a blank CRLF line.
  if (view.lines[String(view.lineCount - 1)] === undefined) out[view.lineCount - 1] = '';
  return out.join('\n');
}

/** The services and volumes of mailcow's docker-compose.yml that install checks and extends. */
export interface ComposeFacts {
  services: Record<string, { volumes: string[] }>;
  volumes: string[];
}

/** A docker-compose.yml with only those facts, for the install to recognise the tree by. */
export function composeOf(facts: ComposeFacts): string {
  const out = ['services:'];
  for (const [name, s] of Object.entries(facts.services)) {
    out.push(`  ${name}:`, '    volumes:', ...s.volumes.map((v) => `      - ${JSON.stringify(v)}`));
  }
  out.push('volumes:', ...facts.volumes.map((v) => `  ${v}: {}`));
  return `${out.join('\n')}\n`;
}
