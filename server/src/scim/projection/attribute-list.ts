/**
 * `attributes` / `excludedAttributes` query parameters (RFC 7644 §3.9): a comma-separated list
 * of attribute names. Commas inside a value filter (`emails[type eq "a,b"].value`) do not
 * split, and a parameter repeated in the query string (an array) is read as one list.
 * Entries are trimmed; empty entries are dropped.
 */
export function parseAttributeList(param: string | readonly string[] | null | undefined): string[] {
  if (param === null || param === undefined) return [];
  if (typeof param !== 'string') return param.flatMap((p) => parseAttributeList(p));
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < param.length; i++) {
    const ch = param[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(param.slice(start, i));
      start = i + 1;
    }
  }
  out.push(param.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}
