/**
 * Request bodies sent as application/scim+json or application/json, decoded once for every
 * route. JSON.parse alone accepts more than this server can safely act on, so a body is refused
 * with 400 invalidSyntax, saying why, when it
 * - is not UTF-8 (RFC 8259 §8.1 requires it between systems; Node would otherwise replace the
 *   bad bytes with U+FFFD and store text the client never sent);
 * - is not JSON;
 * - nests arrays and objects deeper than MAX_JSON_DEPTH (no SCIM message needs more than about
 *   eight levels; deeper values only cost stack in every step that walks them);
 * - names a member twice in one object (I-JSON, RFC 7493 §2.3: which one counts is otherwise
 *   up to the parser);
 * - uses the member name `__proto__`, which no SCIM attribute has and which turns into a
 *   prototype change wherever a decoded object is merged into another.
 * A leading byte order mark is ignored, as RFC 8259 §8.1 allows. An empty body is no body.
 * Error details name positions and member names, never the values: a body may hold a password.
 */
import { isUtf8 } from 'node:buffer';
import { ScimError } from '../scim/index.js';

export const MAX_JSON_DEPTH = 64;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The decoded body, or undefined for an empty one; a ScimError (400 invalidSyntax) for anything refused. */
export function decodeScimJsonBody(bytes: Buffer): unknown {
  const body = bytes.subarray(0, BOM.length).equals(BOM) ? bytes.subarray(BOM.length) : bytes;
  if (!isUtf8(body)) throw ScimError.invalidSyntax('The request body is not valid UTF-8; send JSON encoded as UTF-8 (RFC 8259 §8.1).');
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw ScimError.invalidSyntax(`The request body is not valid JSON${at === undefined ? '' : ` (at character ${at})`}.`);
  }
  checkStructure(text);
  return value;
}

/**
 * One pass over text JSON.parse has accepted: nesting depth, member names per object. Strings
 * are skipped whole (escapes included), so brackets and quotes inside them count for nothing.
 */
function checkStructure(text: string): void {
  // One entry per open container: the member names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      if (keyNext) {
        const raw = text.slice(start, i + 1);
        memberName(open[open.length - 1]!, escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1));
        keyNext = false;
      }
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b ? new Set() : null);
      if (open.length > MAX_JSON_DEPTH) {
        throw ScimError.invalidSyntax(`The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character ${i}).`);
      }
      keyNext = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      keyNext = false;
    } else if (c === 0x2c) {
      keyNext = open.length > 0 && open[open.length - 1] !== null;
    }
  }
}

function memberName(seen: Set<string>, name: string): void {
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
  if (name === '__proto__') throw ScimError.invalidSyntax(`The request body uses the member name ${shown}, which this server refuses.`);
  if (seen.has(name)) throw ScimError.invalidSyntax(`The member ${shown} appears twice in one object of the request body; send it once.`);
  seen.add(name);
}
