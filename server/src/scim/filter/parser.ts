import { parseAttrPath } from '../attribute-path.js';
import { filterError, recordPathPosition, type FilterError } from './filter-error.js';
import type { CompareOperator, FilterNode, FilterValue } from './ast.js';
import { clip, tokenize, type Token } from './lexer.js';

/**
 * Recursive-descent parser for the filter grammar of RFC 7644 §3.4.2.2 (Figure 1):
 *
 *   FILTER    = orExp
 *   orExp     = andExp *("or" andExp)            ; and binds tighter than or
 *   andExp    = unary *("and" unary)
 *   unary     = "not" "(" FILTER ")" / "(" FILTER ")" / attrExp / valuePath
 *   attrExp   = attrPath "pr" / attrPath compareOp compValue
 *   valuePath = attrPath "[" valFilter "]"       ; valFilter: same grammar, no nested "["
 *
 * Operators and keywords are case-insensitive; `and`/`or` chains build left-associative trees.
 * Every error is `invalidFilter` with a 0-based position.
 */

/** Limits on filter input (docs/architecture.md §8: every input is bounded). */
export interface ParseFilterOptions {
  /** Longest accepted filter, in characters. */
  maxLength: number;
  /** Deepest nesting of parentheses, `not (...)` and value filters. */
  maxDepth: number;
  /**
   * `attr[filter].sub op value` is a PATCH path form, not filter grammar: `reject` (default)
   * answers invalidFilter. `rewrite` reads it as `attr[filter and sub op value]`, for Entra's
   * optional matching attribute `emails[type eq "work"].value` (docs/idp/clients.md §2), whose
   * lookup is `emails[type eq "work"].value eq "x"`.
   */
  valuePathSubAttribute: 'reject' | 'rewrite';
  /** `string` reads an unquoted compValue as a string (see TokenizeOptions.unquotedValues); default `reject`. */
  unquotedValues: 'reject' | 'string';
}

const DEFAULT_OPTIONS: ParseFilterOptions = { maxLength: 4096, maxDepth: 32, valuePathSubAttribute: 'reject', unquotedValues: 'reject' };

/** The options with defaults filled in (one place for the defaults, CONTRIBUTING.md "Code"). */
function makeParseFilterOptions(options: Partial<ParseFilterOptions> = {}): ParseFilterOptions {
  return { ...DEFAULT_OPTIONS, ...options };
}

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/**
 * Parse a filter (RFC 7644 §3.4.2.2) into a tree whose attribute paths are exactly as written.
 * Throws `invalidFilter` (a FilterError, with the position) saying what is wrong and where; nothing else.
 */
export function parseFilter(text: string, options: Partial<ParseFilterOptions> = {}): FilterNode {
  return parseWith(text, makeParseFilterOptions(options), { inValuePath: false, offset: 0 });
}

/**
 * Parse the inside of a value filter (`type eq "work"` in `emails[type eq "work"].value`), as
 * PATCH paths and `attributes` lists need. Positions in errors are shifted by `offset`, the
 * position of the inner text in the whole path. Nested value filters are rejected.
 */
export function parseValueFilter(
  text: string,
  options: Partial<ParseFilterOptions> = {},
  offset = 0,
): FilterNode {
  return parseWith(text, makeParseFilterOptions(options), { inValuePath: true, offset });
}

function parseWith(
  text: string,
  options: ParseFilterOptions,
  context: { inValuePath: boolean; offset: number },
): FilterNode {
  if (typeof text !== 'string') throw filterError('the filter must be a string');
  if (text.length > options.maxLength) {
    throw filterError(`the filter is ${text.length} characters long; at most ${options.maxLength} are accepted`, context.offset + options.maxLength);
  }
  if (text.trim() === '') throw filterError('the filter is empty', context.offset);
  const parser = new Parser(tokenize(text, context.offset, { unquotedValues: options.unquotedValues === 'string' }), options, context.inValuePath);
  return parser.parseAll();
}

class Parser {
  private index = 0;
  private depth = 0;
  /** The eof token the lexer ends every list with; reading past the end reads it again. */
  private readonly end: Token;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParseFilterOptions,
    private inValuePath: boolean,
  ) {
    const last = tokens.at(-1);
    if (last?.kind !== 'eof') throw new Error('filter parser: the token list does not end with eof');
    this.end = last;
  }

  parseAll(): FilterNode {
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') {
      throw this.fail(`unexpected ${describe(t)} at position ${t.pos}; expected 'and', 'or' or the end of the filter`, t.pos);
    }
    return node;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      const right = this.parseAnd();
      left = { kind: 'or', left, right };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      const right = this.parseUnary();
      left = { kind: 'and', left, right };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.next();
      const inner = this.nested(() => this.parseOr());
      this.expect('rparen', `')' to close the '(' at position ${t.pos}`);
      return inner;
    }
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      const after = this.tokenAt(this.index + 1);
      if (after.kind === 'lparen') {
        this.next();
        this.next();
        const inner = this.nested(() => this.parseOr());
        this.expect('rparen', `')' to close the 'not (' at position ${t.pos}`);
        return { kind: 'not', filter: inner };
      }
      if (after.kind === 'word' && !COMPARE_OPERATORS.has(after.text.toLowerCase()) && after.text.toLowerCase() !== 'pr') {
        throw this.fail(`expected '(' after 'not' at position ${after.pos} (write not (${clip(after.text)} ...))`, after.pos);
      }
    }
    if (t.kind === 'word') return this.parseAttributeExpression();
    throw this.fail(`expected an attribute name, '(' or 'not (' at position ${t.pos}, found ${describe(t)}`, t.pos);
  }

  private parseAttributeExpression(): FilterNode {
    const word = this.next();
    const parsed = parseAttrPath(word.text);
    if (!parsed) {
      throw this.fail(`invalid attribute path '${clip(word.text)}' at position ${word.pos}`, word.pos);
    }
    const path = recordPathPosition(parsed, word.pos);
    const t = this.peek();
    if (t.kind === 'lbracket') {
      if (this.inValuePath) {
        throw this.fail(`value filters cannot be nested ('[' at position ${t.pos})`, t.pos);
      }
      if (path.sub !== undefined) {
        throw this.fail(
          `a value filter applies to an attribute, not to the sub-attribute '${clip(word.text)}' ('[' at position ${t.pos})`,
          t.pos,
        );
      }
      this.next();
      this.inValuePath = true;
      const inner = this.nested(() => this.parseOr());
      this.inValuePath = false;
      this.expect('rbracket', `']' to close the '[' at position ${t.pos}`);
      const after = this.peek();
      if (after.kind === 'dot' && this.options.valuePathSubAttribute === 'rewrite') {
        return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: this.parseTrailingSubAttribute() } };
      }
      if (after.kind === 'dot') {
        throw this.fail(
          `'${clip(word.text)}[...].sub' at position ${after.pos} is a PATCH path, not a filter; ` +
            `put the sub-attribute comparison inside the brackets, e.g. emails[type eq "work" and value co "@example.com"]`,
          after.pos,
        );
      }
      return { kind: 'valuePath', path, filter: inner };
    }
    if (t.kind === 'word') {
      const op = t.text.toLowerCase();
      if (op === 'pr') {
        this.next();
        return { kind: 'present', path };
      }
      if (COMPARE_OPERATORS.has(op)) {
        this.next();
        const value = this.parseValue(t);
        return { kind: 'compare', path, op: op as CompareOperator, value };
      }
    }
    throw this.fail(
      `expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${clip(word.text)}' at position ${t.pos}, found ${describe(t)}`,
      t.pos,
    );
  }

  /** `.sub op value` after `attr[...]`, read as a comparison on the same value (option `rewrite`). */
  private parseTrailingSubAttribute(): FilterNode {
    const dot = this.next();
    const word = this.peek();
    const parsed = word.kind === 'word' ? parseAttrPath(word.text) : undefined;
    if (!parsed || parsed.uri !== undefined || parsed.sub !== undefined) {
      throw this.fail(`expected a sub-attribute name after '.' at position ${dot.pos}, found ${describe(word)}`, word.pos);
    }
    const path = recordPathPosition(parsed, word.pos);
    this.next();
    const t = this.peek();
    const op = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (op === 'pr') {
      this.next();
      return { kind: 'present', path };
    }
    if (COMPARE_OPERATORS.has(op)) {
      this.next();
      return { kind: 'compare', path, op: op as CompareOperator, value: this.parseValue(t) };
    }
    throw this.fail(
      `expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${clip(word.text)}' at position ${t.pos}, found ${describe(t)}`,
      t.pos,
    );
  }

  private parseValue(opToken: Token): FilterValue {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value as string | number;
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
    }
    throw this.fail(
      `expected a value (a quoted string, a number, true, false or null) after '${opToken.text}' at position ${t.pos}, found ${describe(t)}`,
      t.pos,
    );
  }

  private nested<T>(parse: () => T): T {
    this.depth++;
    if (this.depth > this.options.maxDepth) {
      throw this.fail(`the filter is nested deeper than ${this.options.maxDepth} levels`, this.peek().pos);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private isKeyword(t: Token, keyword: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === keyword;
  }

  private tokenAt(i: number): Token {
    return this.tokens[i] ?? this.end;
  }

  private peek(): Token {
    return this.tokenAt(this.index);
  }

  private next(): Token {
    const t = this.tokenAt(this.index);
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) throw this.fail(`expected ${what}, found ${describe(t)} at position ${t.pos}`, t.pos);
    return this.next();
  }

  private fail(detail: string, position: number): FilterError {
    return filterError(detail, position);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the filter';
    case 'string':
      return `the string ${clip(t.text)}`;
    default:
      return `'${clip(t.text)}'`;
  }
}
