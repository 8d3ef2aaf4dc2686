/**
 * String order by Unicode code point: the order of MariaDB's binary UTF-8 collations
 * (utf8mb4_nopad_bin), which JavaScript's `<` (UTF-16 code units) differs from for code points
 * above U+FFFF. Filters (gt/ge/lt/le) and sorting use it, in memory as in SQL.
 */
/** Compares by Unicode code point (what a binary UTF-8 collation does), not by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) stand for code points above FFFF: move them after E000–FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
