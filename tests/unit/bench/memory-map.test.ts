/**
 * bench/memory-map.ts on a real process (this test's own): the parts add up to the resident
 * set, and the node binary's resident pages are credited to its symbols, ICU's data by item.
 */
import { expect, it } from 'vitest';
import { describeBreakdown, memoryBreakdown } from '../../../bench/memory-map.js';

it('splits the resident set into parts that add up to it', async () => {
  const b = await memoryBreakdown(process.pid);
  const sum = b.parts.reduce((a, p) => a + p.kB, 0);
  // smaps and status are read a moment apart; the process may grow or shrink in between.
  expect(Math.abs(sum - b.rssKB) / b.rssKB).toBeLessThan(0.05);
  expect(b.parts.map((p) => p.name)).toContain('node binary: code');
  expect(b.parts.map((p) => p.name)).toContain('node binary: read-only data');
  expect(describeBreakdown(b)).toContain('node binary: code');
});

it("credits the binary's resident pages to its symbols, ICU's data by item", async () => {
  const b = await memoryBreakdown(process.pid);
  if (b.binary.length === 0) return; // a stripped node: split by segment only
  const names = b.binary.map((p) => p.name);
  expect(names.some((n) => n.startsWith('V8 '))).toBe(true);
  expect(names.some((n) => /^ICU data \(icudt\*_dat\): /.test(n))).toBe(true);
  // What is credited is what is resident: no more than the code and read-only data segments hold.
  const segments = b.parts.filter((p) => p.name === 'node binary: code' || p.name === 'node binary: read-only data').reduce((a, p) => a + p.kB, 0);
  expect(b.binary.reduce((a, p) => a + p.kB, 0)).toBeLessThanOrEqual(segments * 1.05);
});
