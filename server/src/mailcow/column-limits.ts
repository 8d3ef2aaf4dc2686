/**
 * Values the stores keep in VARCHAR columns of our tables, checked against the column's size
 * before anything is written: MariaDB in strict mode refuses a longer value with an error that
 * would otherwise end the change as a 500. The full resource (LONGTEXT) has no such limit; only
 * what is indexed does.
 */
import { ScimError } from '../scim/index.js';

/** VARCHAR(255): userName, externalId and their folded copies in mailcow_scim_users and mailcow_scim_groups. */
const INDEXED_TEXT_MAX = 255;

/** Characters as MariaDB counts them in a utf8mb4 column: code points, not UTF-16 units. */
function codePoints(text: string, atLeast: number): number {
  if (text.length <= atLeast) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** invalidValue when `value` does not fit a column of `max` characters; nothing for null. */
export function assertFitsColumn(value: string | null | undefined, attribute: string, max = INDEXED_TEXT_MAX): void {
  if (value === null || value === undefined) return;
  const length = codePoints(value, max);
  if (length > max) {
    throw ScimError.invalidValue(`"${attribute}" may have at most ${max} characters here (this one has ${length}): mailcow-scim keeps it in an indexed column.`);
  }
}
