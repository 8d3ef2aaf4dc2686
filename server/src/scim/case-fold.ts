/**
 * Case folding for caseExact=false comparisons (RFC 7643 §2.2 leaves the folding open): each
 * code point lower-cased on its own, so `Σ` is always `σ` (JavaScript's toLowerCase would pick
 * `ς` at the end of a word) and `İ` is `i` (not `i̇`). That is exactly MariaDB's LOWER() under
 * the utf8mb4_uca1400 collations for every character of Unicode 14, so filters on JSON values
 * (LOWER in SQL) and on our `_lc` columns (folded here when written) agree with the in-memory
 * evaluator; only characters added after Unicode 14 can still fold differently.
 */
const CACHE = new Map<string, string>();

export function foldCase(text: string): string {
  // ASCII-only text (almost every value) folds the ordinary way.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII, NUL included
  if (!/[^\u0000-\u007f]/.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    let folded = CACHE.get(ch);
    if (folded === undefined) {
      folded = ch === '\u0130' ? 'i' : ch.toLowerCase();
      if (CACHE.size < 4096) CACHE.set(ch, folded);
    }
    out += folded;
  }
  return out;
}
