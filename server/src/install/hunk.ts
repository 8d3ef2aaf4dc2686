/**
 * What a patch hunk is: a place in a mailcow file found by anchors (never by line numbers), and
 * the lines mailcow-scim puts there. The hunks themselves are data, in hunks.ts.
 */
import type { CommentStyle } from './markers.js';

/** A whole line (compared without its line ending and trailing spaces) or a pattern. */
export type LineMatch = string | RegExp;

/**
 * Narrows the search to a region: from the line after `start` up to (not including) the first
 * later line matching `end`. Several scopes narrow one after the other (function, then case).
 */
export interface HunkScope {
  start: LineMatch;
  end: RegExp;
  /** Named in refusal messages, e.g. "user_login()". */
  label: string;
}

export interface Hunk {
  /** Stable id written into the markers; never reuse one for a different change. */
  id: string;
  /** Path inside the mailcow checkout. */
  file: string;
  /** Row of the hook-point table in docs/mailcow-facts.md §7. */
  hookPoint: number;
  /** One line for `install --check` and doctor. */
  purpose: string;
  /**
   * What an admin loses while this hunk is not in mailcow's code (it drifted, or an update
   * dropped it), in their words: shown by install, `--check`, doctor and the admin page.
   */
  impact: string;
  scopes: HunkScope[];
  /** Lines that must come right before the target (disambiguate repeated code). */
  before?: string[];
  /** The consecutive original lines the hunk anchors on. */
  target: LineMatch[];
  /**
   * `replace`: the target lines become `lines(target)`, and are kept in `was` markers.
   * `insert-after`: `lines(target)` are added after the target, which stays as it was.
   */
  mode: 'replace' | 'insert-after';
  lines(original: string[]): string[];
  /** True when the original already does what the hunk would (e.g. upstream added 'scim'). */
  isSatisfied?(original: string[]): boolean;
}

/** A mailcow file the patch touches, and how to recognise it. */
export interface PatchedFile {
  file: string;
  style: CommentStyle;
  /** Each must appear somewhere in the file, or it is not the mailcow file we expect. */
  signatures: LineMatch[];
  /** What the file is, for messages ("mailcow's login functions"). */
  description: string;
}

/** Compares a file line (maybe with \r) to a LineMatch. */
export function lineMatches(line: string, match: LineMatch): boolean {
  const text = line.replace(/\r$/, '');
  return typeof match === 'string' ? text.replace(/[ \t]+$/, '') === match.replace(/[ \t]+$/, '') : match.test(text);
}

/** A LineMatch as text for messages. */
export function describeMatch(match: LineMatch): string {
  return typeof match === 'string' ? match.trim() : `a line matching ${match.source}`;
}
