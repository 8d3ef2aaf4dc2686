/**
 * The marker comments that delimit every change mailcow-scim makes inside a mailcow file.
 *
 * A block looks like this (PHP; Twig uses {# … #}):
 *
 *     // mailcow-scim:begin <hunk id>
 *     // mailcow-scim:was <an original line, verbatim>     (replace hunks only, one per line)
 *     <the new lines>
 *     // mailcow-scim:end <hunk id>
 *
 * The `was` lines keep the original text inside the file itself, so `install --uninstall` can
 * restore it even after mailcow's update.sh merged newer upstream code around the block (a whole
 * file backup would undo that update). A line that could end the comment early (`?>` in PHP,
 * `#}` in Twig) is stored as `was64 <base64>` instead.
 */

export type CommentStyle = 'php' | 'twig';

const MARKER_PREFIX = 'mailcow-scim:';

const DELIMITERS: Record<CommentStyle, { open: string; close: string; unsafe: RegExp }> = {
  php: { open: '// ', close: '', unsafe: /\?>/ },
  twig: { open: '{# ', close: ' #}', unsafe: /#\}/ },
};

function comment(style: CommentStyle, indent: string, body: string): string {
  const d = DELIMITERS[style];
  return `${indent}${d.open}${MARKER_PREFIX}${body}${d.close}`;
}

export function beginMarker(style: CommentStyle, indent: string, id: string): string {
  return comment(style, indent, `begin ${id}`);
}

export function endMarker(style: CommentStyle, indent: string, id: string): string {
  return comment(style, indent, `end ${id}`);
}

/** A `was` line that records one original line, verbatim or base64 when it could end the comment. */
export function wasMarker(style: CommentStyle, indent: string, original: string): string {
  return DELIMITERS[style].unsafe.test(original)
    ? comment(style, indent, `was64 ${Buffer.from(original, 'utf8').toString('base64')}`)
    : comment(style, indent, `was ${original}`);
}

export type ParsedMarker =
  | { kind: 'begin' | 'end'; id: string }
  | { kind: 'was'; original: string };

/** Reads a marker line (without its line ending); undefined when the line is not one of ours. */
export function parseMarker(style: CommentStyle, line: string): ParsedMarker | undefined {
  const d = DELIMITERS[style];
  const trimmed = line.replace(/^[ \t]+/, '');
  const head = `${d.open}${MARKER_PREFIX}`;
  if (!trimmed.startsWith(head)) return undefined;
  if (d.close && !trimmed.endsWith(d.close)) return undefined;
  const body = trimmed.slice(head.length, trimmed.length - d.close.length);
  const m = /^(begin|end|was64|was) ?([\s\S]*)$/.exec(body);
  if (!m) return undefined;
  const [, kind, rest] = m as unknown as [string, string, string];
  if (kind === 'begin' || kind === 'end') return { kind, id: rest.trim() };
  if (kind === 'was64') return { kind: 'was', original: Buffer.from(rest.trim(), 'base64').toString('utf8') };
  return { kind: 'was', original: rest };
}

/** The leading whitespace of a line. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}
