import { filterError } from './filter-error.js';

/**
 * Tokens of the RFC 7644 §3.4.2.2 filter grammar. Keywords (`and`, `or`, `not`, operators,
 * `true`/`false`/`null`) come out as words: the parser decides by position what a word is, so
 * an attribute may be called `pr` or `not` without confusing it.
 */

/** What a token is: punctuation, a word (name or keyword), a JSON string or number, or the end. */
type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'dot'
  | 'word'
  | 'string'
  | 'number'
  | 'eof';

/** One token with its 0-based position, for error details. */
export interface Token {
  readonly kind: TokenKind;
  /** The raw text of the token ('' for eof). */
  readonly text: string;
  /** 0-based character offset in the filter text (plus the caller's offset). */
  readonly pos: number;
  /** The decoded value of a string or number token. */
  readonly value?: string | number;
}

const WORD_START = /[A-Za-z_$]/;
const WORD_CHAR = /[A-Za-z0-9_$:.-]/;
/** A JSON number (RFC 8259 §6), as RFC 7644 §3.4.2.2 compValue requires. */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const PUNCTUATION: Record<string, TokenKind> = {
  '(': 'lparen',
  ')': 'rparen',
  '[': 'lbracket',
  ']': 'rbracket',
  '.': 'dot',
};

const COMPARE_OPERATOR_WORDS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
/** An unquoted compValue runs to the next space, parenthesis, bracket or quote. */
const UNQUOTED_VALUE = /[^\s()[\]"]+/y;

/** Lexer options; each is a tolerance for a real client, off by default (strict RFC grammar). */
export interface TokenizeOptions {
  /**
   * Read an unquoted word after a comparison operator (`userName eq jdoe`, `meta.created gt
   * 2015-10-10T14:38:21.86-07:00`) as a string token instead of failing. `true`, `false`,
   * `null` and JSON numbers keep their meaning. For authentik releases that sent the 409
   * lookup `userName eq x` unquoted (docs/idp/clients.md §4, X5), Microsoft's provisioning guide
   * (`filter=externalId eq jyoung`, fixture entra/lookup-by-externalid.json) and Microsoft's SCIM
   * test collection (`name.FamilyName eq Employee`, `userName sw O`; tests/conformance/entra).
   */
  unquotedValues: boolean;
}

/** Whether the next token sits where a compValue goes: after an operator word that follows an attribute path. */
function isAfterCompareOperator(tokens: Token[]): boolean {
  const op = tokens[tokens.length - 1];
  const before = tokens[tokens.length - 2];
  return op?.kind === 'word' && COMPARE_OPERATOR_WORDS.has(op.text.toLowerCase()) && (before?.kind === 'word' || before?.kind === 'rbracket');
}

/**
 * Split `text` into tokens, ending with an `eof` token. Positions are 0-based and shifted by
 * `offset` (used when the text is the inside of a PATCH path's brackets). Throws
 * `invalidFilter` for a character that starts no token, an unterminated or malformed string,
 * or a malformed number.
 */
export function tokenize(text: string, offset = 0, options: Partial<TokenizeOptions> = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (options.unquotedValues && ch !== '"' && isAfterCompareOperator(tokens)) {
      UNQUOTED_VALUE.lastIndex = i;
      const raw = UNQUOTED_VALUE.exec(text)?.[0];
      NUMBER.lastIndex = i;
      const isNumber = NUMBER.exec(text)?.[0] === raw;
      if (raw && !isNumber && !/^(true|false|null)$/i.test(raw)) {
        tokens.push({ kind: 'string', text: raw, pos: offset + i, value: raw });
        i += raw.length;
        continue;
      }
    }
    const punct = PUNCTUATION[ch];
    if (punct) {
      tokens.push({ kind: punct, text: ch, pos: offset + i });
      i++;
      continue;
    }
    if (ch === '"') {
      const { value, end } = readString(text, i, offset);
      tokens.push({ kind: 'string', text: text.slice(i, end), pos: offset + i, value });
      i = end;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      const end = match ? i + match[0].length : i;
      if (!match || (end < text.length && WORD_CHAR.test(text.charAt(end)))) {
        let stop = end;
        while (stop < text.length && WORD_CHAR.test(text.charAt(stop))) stop++;
        throw filterError(`invalid number '${clip(text.slice(i, Math.max(stop, i + 1)))}' at position ${offset + i}`, offset + i);
      }
      const raw = match[0];
      tokens.push({ kind: 'number', text: raw, pos: offset + i, value: Number(raw) });
      i = end;
      continue;
    }
    if (WORD_START.test(ch)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text.charAt(i))) i++;
      // A trailing dot belongs to no word (`emails[...].` is reported by the parser).
      let end = i;
      while (end > start + 1 && text[end - 1] === '.') end--;
      i = end;
      tokens.push({ kind: 'word', text: text.slice(start, end), pos: offset + start });
      continue;
    }
    throw filterError(`unexpected character '${ch}' at position ${offset + i}`, offset + i);
  }
  tokens.push({ kind: 'eof', text: '', pos: offset + text.length });
  return tokens;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A JSON string (RFC 8259 §7) starting at `start` (the opening quote). */
function readString(text: string, start: number, offset: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') return { value, end: i + 1 };
    if (ch === '\\') {
      const esc = text[i + 1];
      if (esc === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
          throw filterError(`invalid \\u escape in string at position ${offset + i}`, offset + i);
        }
        value += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const decoded = esc === undefined ? undefined : ESCAPES[esc];
      if (decoded === undefined) {
        throw filterError(`invalid escape '\\${esc ?? ''}' in string at position ${offset + i}`, offset + i);
      }
      value += decoded;
      i += 2;
      continue;
    }
    if (ch < ' ') {
      throw filterError(`control character in string at position ${offset + i}; escape it (JSON string rules)`, offset + i);
    }
    value += ch;
    i++;
  }
  throw filterError(`unterminated string starting at position ${offset + start}`, offset + start);
}

/** Shorten user text quoted in an error detail. */
export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
