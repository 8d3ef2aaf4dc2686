/**
 * What a process's resident memory is made of, from /proc/<pid>/smaps and /proc/<pid>/pagemap:
 * the node binary's own pages (its code, its read-only data, which holds ICU's data and the
 * startup snapshot, and its symbol tables), split further by the symbols the resident pages
 * belong to; V8's code space; glibc's malloc arenas; thread stacks; and the rest of the
 * anonymous memory (V8's heap pages, large malloc blocks). `npm run bench:memory -- --smaps`
 * prints it at rest and after requests, `-- --watch <pid>` at the peak of a running sidecar.
 *
 * Reading pagemap needs the process's owner or root. Without the binary's symbol table (a
 * stripped node) the binary is split by segment only.
 */
import { open, readFile, readlink } from 'node:fs/promises';

const PAGE = 4096;
/** glibc's HEAP_MAX_SIZE on 64-bit: every arena but the main one is a region this size and aligned to it. */
const ARENA_BYTES = 64 * 1024 * 1024;
const ICU_DATA = 'ICU data (icudt*_dat)';

interface Mapping {
  start: number;
  end: number;
  perms: string;
  offset: number;
  path: string;
  rssKB: number;
  anonKB: number;
}

interface MemoryPart {
  name: string;
  kB: number;
}

export interface MemoryBreakdown {
  rssKB: number;
  hwmKB: number;
  /** Summed over the parts: equals the Rss of smaps (up to pages that change while it is read). */
  parts: MemoryPart[];
  /** The node binary's resident pages by the component their symbols belong to. */
  binary: MemoryPart[];
}

async function readSmaps(pid: number): Promise<Mapping[]> {
  const text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  const maps: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      current = { start: Number.parseInt(header[1]!, 16), end: Number.parseInt(header[2]!, 16), perms: header[3]!, offset: Number.parseInt(header[4]!, 16), path: header[5]!.trim(), rssKB: 0, anonKB: 0 };
      maps.push(current);
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field && current) {
      if (field[1] === 'Rss') current.rssKB = Number(field[2]);
      else current.anonKB = Number(field[2]);
    }
  }
  return maps;
}

/** The resident pages of [start, end): their addresses, from pagemap's present bit. */
async function residentPages(pid: number, start: number, end: number): Promise<number[]> {
  const pages = (end - start) / PAGE;
  const buf = Buffer.alloc(pages * 8);
  const fh = await open(`/proc/${pid}/pagemap`, 'r');
  try {
    await fh.read(buf, 0, buf.length, (start / PAGE) * 8);
  } finally {
    await fh.close();
  }
  const present: number[] = [];
  for (let i = 0; i < pages; i++) if ((buf.readUInt32LE(i * 8 + 4) & 0x80000000) !== 0) present.push(start + i * PAGE);
  return present;
}

interface ElfSymbol {
  start: number;
  end: number;
  group: string;
}

/** What a (mangled) symbol name belongs to, coarsely: the parts of node one may switch off or avoid. */
function symbolGroup(name: string, section: string): string {
  if (/^icudt\d+_dat$/.test(name)) return ICU_DATA;
  if (name.startsWith('Builtins_') || name.startsWith('v8_Default_embedded_blob')) return 'V8 builtins (embedded blob)';
  if (/2v88internal8compiler|2v88internal10turboshaft/.test(name)) return 'V8 TurboFan/Turboshaft';
  if (/2v88internal6maglev/.test(name)) return 'V8 Maglev';
  if (/2v88internal8baseline/.test(name)) return 'V8 Sparkplug';
  if (/2v88internal4wasm/.test(name)) return 'V8 wasm';
  if (/2v88internal(6regexp|\d+RegExp)/.test(name)) return 'V8 regexp';
  if (/2v88internal(4Heap|\d+(MarkCompact|Scavenger|MinorMarkSweep|Marking|Sweeper|Evacuat|ConcurrentMarking|IncrementalMarking|MemoryAllocator|PagedSpace|NewSpace|LargeObjectSpace|Heap))/.test(name)) return 'V8 GC';
  if (/^_ZN?K?\d*v8|2v88internal|^_ZN2v8/.test(name)) return 'V8 other (runtime, parser, interpreter, API)';
  if (/icu_\d+/.test(name)) return 'ICU code and tables';
  if (/4node|^node_/.test(name)) return 'node (C++)';
  if (/^uv_|^uv__/.test(name)) return 'libuv';
  if (/^_ZN?K?St|^_ZNSt|^_ZSt|^_ZN9__gnu_cxx|^_ZN10__cxxabiv1/.test(name)) return 'C++ standard library';
  if (name.startsWith('_Z')) return `other C++ (${section})`;
  return `C (OpenSSL, zlib, nghttp2, llhttp, … ${section})`;
}

/**
 * The items of ICU's common data (one big symbol) as intervals named after the item's folder
 * (coll/, zone/, brkitr/, …) or file (zoneinfo64.res, nfkc.nrm, …): what the process touched in it.
 * The layout: a header of `headerSize` bytes, then a table of contents, a count and
 * (nameOffset, dataOffset) pairs relative to the table's start, items in name order.
 */
async function icuItems(read: (offset: number, length: number) => Promise<Buffer>, addr: number, fileOffset: number, size: number): Promise<ElfSymbol[]> {
  const head = await read(fileOffset, 4);
  const headerSize = head.readUInt16LE(0);
  if (head[2] !== 0xda || head[3] !== 0x27) return [];
  const tocStart = fileOffset + headerSize;
  const count = (await read(tocStart, 4)).readUInt32LE(0);
  const toc = await read(tocStart, 4 + count * 8);
  const entries = Array.from({ length: count }, (_, i) => ({ name: toc.readUInt32LE(4 + i * 8), data: toc.readUInt32LE(8 + i * 8) }));
  const namesEnd = Math.min(...entries.map((e) => e.data));
  const names = await read(tocStart, namesEnd);
  const items = entries.map((e) => ({ start: addr + headerSize + e.data, name: names.toString('latin1', e.name, names.indexOf(0, e.name)) })).sort((a, b) => a.start - b.start);
  const out: ElfSymbol[] = [{ start: addr, end: items[0]?.start ?? addr + size, group: `${ICU_DATA}: header and table of contents` }];
  for (const [i, item] of items.entries()) {
    const path = item.name.replace(/^icudt\d+[lb]\//, '');
    const group = `${ICU_DATA}: ${path.includes('/') ? `${path.slice(0, path.indexOf('/'))}/` : path}`;
    out.push({ start: item.start, end: items[i + 1]?.start ?? addr + size, group });
  }
  return out;
}

const symbolCache = new Map<string, ElfSymbol[] | null>();

/** FUNC and OBJECT symbols of an ELF64 file's .symtab, sorted by address, or null without one. */
async function elfSymbols(file: string): Promise<ElfSymbol[] | null> {
  const cached = symbolCache.get(file);
  if (cached !== undefined) return cached;
  const fh = await open(file, 'r');
  try {
    const read = async (offset: number, length: number) => {
      const b = Buffer.alloc(length);
      await fh.read(b, 0, length, offset);
      return b;
    };
    const eh = await read(0, 64);
    if (eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2) return null;
    const shoff = Number(eh.readBigUInt64LE(0x28));
    const shentsize = eh.readUInt16LE(0x3a);
    const shnum = eh.readUInt16LE(0x3c);
    const shstrndx = eh.readUInt16LE(0x3e);
    const sh = await read(shoff, shentsize * shnum);
    const section = (i: number) => ({
      name: sh.readUInt32LE(i * shentsize),
      type: sh.readUInt32LE(i * shentsize + 4),
      addr: Number(sh.readBigUInt64LE(i * shentsize + 0x10)),
      offset: Number(sh.readBigUInt64LE(i * shentsize + 0x18)),
      size: Number(sh.readBigUInt64LE(i * shentsize + 0x20)),
      link: sh.readUInt32LE(i * shentsize + 0x28),
    });
    const names = await read(section(shstrndx).offset, section(shstrndx).size);
    const sectionName = (i: number) => {
      const n = section(i).name;
      return names.toString('latin1', n, names.indexOf(0, n));
    };
    const symtabIndex = Array.from({ length: shnum }, (_, i) => i).find((i) => section(i).type === 2);
    if (symtabIndex === undefined) {
      symbolCache.set(file, null);
      return null;
    }
    const symtab = section(symtabIndex);
    const strtab = section(symtab.link);
    const [syms, strs] = await Promise.all([read(symtab.offset, symtab.size), read(strtab.offset, strtab.size)]);
    const out: ElfSymbol[] = [];
    let icuSection = 0;
    for (let o = 0; o + 24 <= syms.length; o += 24) {
      const type = syms[o + 4]! & 0xf;
      const shndx = syms.readUInt16LE(o + 6);
      const value = Number(syms.readBigUInt64LE(o + 8));
      const size = Number(syms.readBigUInt64LE(o + 16));
      // FUNC or OBJECT, defined, with a size.
      if ((type !== 1 && type !== 2) || shndx === 0 || shndx >= 0xff00 || size === 0) continue;
      const n = syms.readUInt32LE(o);
      const group = symbolGroup(strs.toString('latin1', n, strs.indexOf(0, n)), sectionName(shndx));
      if (group === ICU_DATA) icuSection = shndx;
      out.push({ start: value, end: value + size, group });
    }
    const icu = out.findIndex((x) => x.group === ICU_DATA);
    const items = icu < 0 ? [] : await icuItems(read, out[icu]!.start, out[icu]!.start - section(icuSection).addr + section(icuSection).offset, out[icu]!.end - out[icu]!.start);
    if (items.length > 0) out.splice(icu, 1, ...items);
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    const intervals = disjoint(out);
    symbolCache.set(file, intervals);
    return intervals;
  } finally {
    await fh.close();
  }
}

/** `symbols` (sorted by start) as disjoint intervals: where symbols overlap (aliases), the first wins. */
function disjoint(symbols: ElfSymbol[]): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const s of symbols) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) out.push({ start: last.end, end: s.end, group: s.group });
    } else out.push(s);
  }
  return out;
}

/** Bytes of each resident page credited to the symbols that overlap it; the rest is `gap`. */
function attribute(pages: number[], symbols: ElfSymbol[], gap: string, into: Map<string, number>): void {
  const add = (group: string, bytes: number) => into.set(group, (into.get(group) ?? 0) + bytes);
  for (const page of pages) {
    // The first interval that ends past the page's start.
    let lo = 0;
    let hi = symbols.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (symbols[mid]!.end <= page) lo = mid + 1;
      else hi = mid;
    }
    let covered = 0;
    for (let i = lo; i < symbols.length && symbols[i]!.start < page + PAGE; i++) {
      const s = symbols[i]!;
      const bytes = Math.min(s.end, page + PAGE) - Math.max(s.start, page);
      add(s.group, bytes);
      covered += bytes;
    }
    if (covered < PAGE) add(gap, PAGE - covered);
  }
}

function isArena(m: Mapping, maps: Mapping[]): boolean {
  // An arena's heap: a 64 MiB-aligned rw-p start whose reservation (rw-p, then ---p) spans 64 MiB.
  if (m.start % ARENA_BYTES !== 0) return false;
  const tail = maps.find((n) => n.start === m.end && n.perms === '---p');
  return m.end - m.start === ARENA_BYTES || (tail !== undefined && tail.end - m.start === ARENA_BYTES);
}

export async function memoryBreakdown(pid: number): Promise<MemoryBreakdown> {
  const [maps, status, exe] = await Promise.all([readSmaps(pid), readFile(`/proc/${pid}/status`, 'utf8'), readlink(`/proc/${pid}/exe`)]);
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const parts = new Map<string, number>();
  const add = (name: string, k: number) => k > 0 && parts.set(name, (parts.get(name) ?? 0) + k);
  const binaryBytes = new Map<string, number>();
  const symbols = await elfSymbols(exe).catch(() => null);
  for (const [i, m] of maps.entries()) {
    if (m.rssKB === 0) continue;
    if (m.path === exe) {
      const segment = m.perms.includes('x') ? 'code' : m.perms.includes('w') ? 'data (copied on write)' : m.offset === 0 ? 'symbol tables for the dynamic linker' : 'read-only data';
      add(`node binary: ${segment}`, m.rssKB);
      if (symbols && !m.perms.includes('w') && m.offset !== 0) attribute(await residentPages(pid, m.start, m.end), symbols, m.perms.includes('x') ? 'code without a symbol' : 'read-only data without a sized symbol', binaryBytes);
    } else if (m.path === '[heap]') add('malloc: main arena (brk heap)', m.rssKB);
    else if (m.path === '[stack]') add('main thread stack', m.rssKB);
    else if (m.path.startsWith('/') && !m.path.endsWith(' (deleted)')) add(/\.so(\.|$)/.test(m.path) ? 'shared libraries' : 'other files', m.rssKB);
    else if (m.perms.includes('x')) add('V8 code space (JIT code)', m.rssKB);
    else if (isArena(m, maps)) add('malloc: thread arenas', m.rssKB);
    else if (maps[i - 1]?.perms === '---p' && maps[i - 1]!.end === m.start && maps[i - 1]!.end - maps[i - 1]!.start === PAGE) add('thread stacks', m.rssKB);
    else if (m.path !== '') add(`other (${m.path})`, m.rssKB);
    else add('other anonymous (V8 heap pages, large malloc blocks)', m.rssKB);
  }
  const sorted = (map: Map<string, number>, scale: number) => [...map].map(([name, v]) => ({ name, kB: v / scale })).sort((a, b) => b.kB - a.kB);
  return { rssKB: kB('VmRSS'), hwmKB: kB('VmHWM'), parts: sorted(parts, 1), binary: sorted(binaryBytes, 1024) };
}

/** The breakdown as lines of text, MB (10^6 bytes, as the benchmark prints its figures). */
export function describeBreakdown(b: MemoryBreakdown, indent = '  '): string {
  const mb = (k: number) => `${((k * 1024) / 1e6).toFixed(1).padStart(6)} MB`;
  const lines = [`${indent}VmRSS ${mb(b.rssKB).trim()}, VmHWM ${mb(b.hwmKB).trim()}; by mapping:`];
  for (const p of b.parts) lines.push(`${indent}  ${mb(p.kB)}  ${p.name}`);
  if (b.binary.length > 0) {
    lines.push(`${indent}the node binary's resident code and read-only data, by symbol:`);
    for (const p of b.binary) if (p.kB >= 64) lines.push(`${indent}  ${mb(p.kB)}  ${p.name}`);
  }
  return lines.join('\n');
}
