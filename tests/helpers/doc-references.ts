/**
 * Finds citations of our documents in the repository (`docs/mailcow-facts.md §2.6`,
 * `docs/idp/clients.md §3 [O1]`) and citations of the design notes that never were in the
 * repository (`mailcow-integration.md`, `idp-clients.md`, bare `architecture.md` and `style.md`,
 * `shared/docs`). Used by tests/unit/docs-references.test.ts; the lists below are where a new cited
 * document, or a stricter rule, is switched on.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CitedDocument {
  /** The file name as citations spell it; `clients.md` also matches `docs/idp/clients.md`. */
  name: string;
  /** Its path in the repository. */
  file: string;
  /** Whether citations may name keys of its Sources table in brackets: `§3 [O1, O5]`. */
  sourceKeys?: boolean;
}

/** The documents whose citations must land on an existing section. */
export const CITED_DOCUMENTS: readonly CitedDocument[] = [
  { name: 'mailcow-facts.md', file: 'docs/mailcow-facts.md' },
  { name: 'architecture.md', file: 'docs/architecture.md' },
  { name: 'clients.md', file: 'docs/idp/clients.md', sourceKeys: true },
];

/** Names of the design notes outside the repository that code and docs must stop citing. */
const LEGACY_CITATIONS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'mailcow-integration.md', pattern: /mailcow-integration\.md/g },
  { name: 'idp-clients.md', pattern: /idp-clients\.md/g },
  // Bare names only: docs/architecture.md and docs/style.md are fine once they exist.
  { name: 'architecture.md', pattern: /(?<![\w/-])architecture(?:\.md)?\s*§|(?<![\w/-])architecture\.md/g },
  { name: 'style.md', pattern: /(?<![\w/-])style\.md/g },
  { name: 'shared/docs', pattern: /shared\/docs/g },
];

/**
 * Whether citations of LEGACY_CITATIONS fail the test rather than being reported. Switch it on
 * (or run with DOCS_REFERENCES_STRICT=1) once every comment points into the repository.
 */
export const FAIL_ON_LEGACY_CITATIONS = true;

/** What is scanned: these directories and the top-level Markdown files. */
const SCANNED_DIRECTORIES: readonly string[] = ['server', 'tests', 'php-bridge', 'deploy', 'bench', 'scripts', 'docs', 'proto'];

/** Not scanned: mailcow's own code kept as test data, and the two files that spell the patterns out. */
const NOT_SCANNED = ['tests/fixtures/mailcow-upstream/', 'tests/helpers/doc-references.ts', 'tests/unit/docs-references.test.ts'];
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'dist', 'test-artifacts', 'vendor']);

export interface Citation {
  file: string;
  line: number;
  text: string;
  document: CitedDocument;
  sections: string[];
  keys: string[];
}

export interface LegacyCitation {
  file: string;
  line: number;
  name: string;
  text: string;
}

/** Section ids of a Markdown document: `## 0. …` → 0, `### 1.2 …` → 1.2, `## Appendix A. …` → A, `### A.4 …` → A.4. */
export function sectionIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}[ \t]+(?:Appendix[ \t]+)?(A(?:\.\d+)?|\d+(?:\.\d+)*)\.?(?=[ \t])/gm)) ids.add(m[1]!);
  return ids;
}

/** Keys of a `## Sources` table (`| E1 | … |`), ranges such as `A1–A7` expanded. */
export function sourceKeysOf(markdown: string): Set<string> {
  const sources = markdown.split(/^## Sources\s*$/m)[1] ?? '';
  const keys = new Set<string>();
  for (const m of sources.matchAll(/^\|\s*([A-Z]\d+(?:[–-][A-Z]\d+)?)\s*\|/gm)) for (const k of expandKey(m[1]!)) keys.add(k);
  return keys;
}

function expandKey(key: string): string[] {
  const range = /^([A-Z])(\d+)[–-]([A-Z])(\d+)$/.exec(key);
  if (!range) return [key];
  const [, a, from, b, to] = range;
  if (a !== b) return [key];
  return Array.from({ length: Number(to) - Number(from) + 1 }, (_, i) => `${a}${Number(from) + i}`);
}

const REF = String.raw`(?:A\.\d+|Appendix[ \t]+A\b|\d+(?:\.\d+)*)`;
const NEXT_REF = String.raw`(?:\s*(?:,|;|&|and|or|to|–|-|\/)?\s*(?:§\s*${REF}|A\.\d+))`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Citations of `doc` in `text`: the name, then one or more section references, then (optionally) source keys. */
export function citationsIn(text: string, doc: CitedDocument, file = '<text>'): Citation[] {
  const re = new RegExp(
    String.raw`(?<![\w-])${escapeRegExp(doc.name)}[)\]\x60]*\s*(?:§\s*)?(${REF}${NEXT_REF}*)(?:\s*\[([^\]\n]*)\])?`,
    'g',
  );
  const out: Citation[] = [];
  for (const m of text.matchAll(re)) {
    const sections = [...m[1]!.matchAll(new RegExp(REF, 'g'))].map((r) => (r[0].startsWith('Appendix') ? 'A' : r[0]));
    const keys = doc.sourceKeys && m[2] ? m[2].split(/[,;]/).flatMap((k) => (k.trim() ? expandKey(k.trim()) : [])) : [];
    out.push({ file, line: lineOf(text, m.index!), text: m[0], document: doc, sections, keys });
  }
  return out;
}

export function legacyCitationsIn(text: string, file = '<text>'): LegacyCitation[] {
  return LEGACY_CITATIONS.flatMap(({ name, pattern }) =>
    [...text.matchAll(new RegExp(pattern.source, 'g'))].map((m) => ({ file, line: lineOf(text, m.index!), name, text: m[0] })),
  );
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The text files to scan under `root`, as repository-relative paths. */
function scannedFiles(root: string): string[] {
  const files: string[] = readdirSync(root).filter((f) => f.endsWith('.md') && statSync(join(root, f)).isFile());
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      if (SKIPPED_DIRECTORIES.has(name)) continue;
      const rel = `${dir}/${name}`;
      const st = statSync(join(root, rel));
      if (st.isDirectory()) walk(rel);
      else if (st.isFile() && !NOT_SCANNED.some((p) => rel === p || rel.startsWith(p))) files.push(rel);
    }
  };
  for (const dir of SCANNED_DIRECTORIES) if (statSync(join(root, dir), { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  return files.filter((f) => !readFileSync(join(root, f)).subarray(0, 8000).includes(0));
}

export interface ScanResult {
  files: number;
  citations: Citation[];
  /** Citations naming a section (or source key) the document does not have. */
  broken: string[];
  legacy: LegacyCitation[];
}

export function scanRepository(root: string): ScanResult {
  const documents = CITED_DOCUMENTS.map((doc) => {
    const markdown = readFileSync(join(root, doc.file), 'utf8');
    return { doc, sections: sectionIds(markdown), keys: sourceKeysOf(markdown) };
  });
  const files = scannedFiles(root);
  const citations: Citation[] = [];
  const legacy: LegacyCitation[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const { doc } of documents) citations.push(...citationsIn(text, doc, relative(root, join(root, file))));
    legacy.push(...legacyCitationsIn(text, file));
  }
  const broken: string[] = [];
  for (const c of citations) {
    const d = documents.find((x) => x.doc === c.document)!;
    for (const s of c.sections) if (!d.sections.has(s)) broken.push(`${c.file}:${c.line}: ${c.document.file} has no section ${s} ("${c.text}")`);
    for (const k of c.keys) if (!d.keys.has(k)) broken.push(`${c.file}:${c.line}: ${c.document.file} has no source ${k} ("${c.text}")`);
  }
  return { files: files.length, citations, broken, legacy };
}
