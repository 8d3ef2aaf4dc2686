/**
 * invalidFilter with the place it refers to. A template rule is typed once by an admin and then
 * applied to every create, so its error has to point at the character, not just name a reason;
 * the same position serves `?filter=` errors. Positions are 0-based UTF-16 offsets into the
 * filter text, as the lexer counts them.
 */
import { ScimError } from '../scim-error.js';
import type { AttrPath } from '../attribute-path.js';

export class FilterError extends ScimError {
  /** 0-based offset of the offending character or token in the filter, when known. */
  readonly position: number | undefined;

  constructor(detail: string, position?: number) {
    super(400, detail, { scimType: 'invalidFilter' });
    this.position = position;
  }
}

/** An invalidFilter error at `position`. */
export function filterError(detail: string, position?: number): FilterError {
  return new FilterError(detail, position);
}

/**
 * Where the parser found each attribute path, so that schema checks done later on the tree
 * (unknown attribute, wrong value type) can point into the text too. Keyed by the path objects
 * of one parse: a tree built by hand simply has no positions.
 */
const PATH_POSITIONS = new WeakMap<AttrPath, number>();

export function recordPathPosition(path: AttrPath, position: number): AttrPath {
  PATH_POSITIONS.set(path, position);
  return path;
}

export function pathPosition(path: AttrPath): number | undefined {
  return PATH_POSITIONS.get(path);
}

/** The position of a filter error, when it has one. */
export function filterErrorPosition(error: unknown): number | undefined {
  return error instanceof FilterError ? error.position : undefined;
}

/**
 * The filter text around `position` and a caret under it, for error messages: at most `width`
 * characters of context, with an ellipsis where the text was cut.
 *
 *     department eq "Sales
 *                   ^
 */
export function filterExcerpt(text: string, position: number, width = 60): string {
  const flat = text.replace(/[\r\n\t]/g, ' ');
  const at = Math.max(0, Math.min(position, flat.length));
  let start = Math.max(0, at - Math.floor(width / 2));
  const end = Math.min(flat.length, start + width);
  start = Math.max(0, Math.min(start, end - width));
  const head = start > 0 ? '…' : '';
  const tail = end < flat.length ? '…' : '';
  return `${head}${flat.slice(start, end)}${tail}\n${' '.repeat(head.length + at - start)}^`;
}
