/**
 * The PHP protobuf runtime and generator against protobuf-es, the reference the sidecar's
 * stack is built on: messages of every field shape (tests/integration/php-bridge/fixtures) are
 * encoded by protobuf-es, decoded and re-encoded by the generated PHP classes (also through
 * their array form), and must decode back to equal messages. Malformed bytes must be refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileRegistry, equals, fromBinary, fromJson, toBinary, type DescMessage, type JsonObject } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFixturePhp, run } from './php-run.js';

let dir: string;
let genDir: string;
let AllTypes: DescMessage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcs-php-proto-'));
  genDir = await generateFixturePhp(dir);
  const image = join(dir, 'image.binpb');
  const built = await run('npx', ['buf', 'build', 'tests/integration/php-bridge/fixtures', '--as-file-descriptor-set', '-o', image]);
  expect(built.code, built.stderr).toBe(0);
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(image)));
  AllTypes = registry.getMessage('fixture.v1.AllTypes')!;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface PhpResult {
  name: string;
  hex?: string;
  fromArrayHex?: string;
  array?: Record<string, unknown>;
  error?: string;
}

async function throughPhp(cases: { name: string; class: string; hex: string }[]): Promise<Map<string, PhpResult>> {
  const file = join(dir, `cases-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(cases));
  const r = await run('php', ['tests/integration/php-bridge/php/roundtrip.php', genDir, file]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return new Map((JSON.parse(r.stdout) as PhpResult[]).map((x) => [x.name, x]));
}

// Proto JSON (RFC-style names, int64 as strings, bytes as base64).
const CASES: Record<string, JsonObject> = {
  empty: {},
  scalars: {
    fDouble: -0.25,
    fFloat: 1.5,
    fInt64: '-9223372036854775808',
    fUint64: '18446744073709551615',
    fInt32: -1,
    fFixed64: '18446744073709551615',
    fFixed32: 4294967295,
    fBool: true,
    fString: 'grüße 🐄',
    fBytes: 'AP8=',
    fUint32: 4294967295,
    fSfixed32: -2147483648,
    fSfixed64: '-2',
    fSint32: -2147483648,
    fSint64: '-9223372036854775808',
    color: 'COLOR_BLUE',
    mood: 'MOOD_HAPPY',
    inner: { label: 'in', numbers: [1, -1] },
  },
  presence: { optInt32: 0, optString: '', optBool: false, optColor: 'COLOR_UNSPECIFIED' },
  repeated: {
    packedInt32: [0, 1, -1, 2147483647],
    packedSint64: ['-1', '1', '-9223372036854775808'],
    packedDouble: [0.5, -2],
    unpackedInt32: [3, -3],
    strings: ['a', '', 'ü'],
    blobs: ['', 'AQID'],
    inners: [{ label: 'x' }, {}],
    colors: ['COLOR_RED', 'COLOR_BLUE'],
    bools: [true, false, true],
    fixeds: [0, 4294967295],
  },
  maps: {
    counts: { a: 1, '': -1, '7': 7 },
    names: { '-5': 'minus five', '9223372036854775807': 'max' },
    byFlag: { true: { label: 't' }, false: {} },
    palette: { sky: 'COLOR_BLUE' },
    raw: { '-1': 'AA==' },
  },
  oneofText: { choiceText: 'hello' },
  oneofNumber: { choiceNumber: '0' },
  oneofInner: { choiceInner: { label: 'deep', numbers: [5] } },
  wellKnownAndReserved: { stamp: '2026-11-28T10:00:00.5Z', list: { items: ['x'] }, class: 3, default: 'd' },
};

describe('generated PHP messages against protobuf-es', () => {
  it('decode and re-encode every field shape to equal messages', async () => {
    const originals = new Map(Object.entries(CASES).map(([name, json]) => [name, fromJson(AllTypes, json)]));
    const results = await throughPhp([...originals].map(([name, m]) => ({ name, class: 'Fixture\\V1\\AllTypes', hex: Buffer.from(toBinary(AllTypes, m)).toString('hex') })));
    for (const [name, original] of originals) {
      const r = results.get(name)!;
      expect(r.error, name).toBeUndefined();
      for (const hex of [r.hex!, r.fromArrayHex!]) {
        const back = fromBinary(AllTypes, Buffer.from(hex, 'hex'));
        expect(equals(AllTypes, original, back), `${name}: ${hex}`).toBe(true);
      }
    }
  });

  it('gives PHP values of the natural types, enums by name in the array form', async () => {
    const m = fromJson(AllTypes, CASES.scalars!);
    const r = (await throughPhp([{ name: 's', class: 'Fixture\\V1\\AllTypes', hex: Buffer.from(toBinary(AllTypes, m)).toString('hex') }])).get('s')!;
    expect(r.array).toMatchObject({
      fInt32: -1,
      // PHP has signed 64-bit ints only: uint64 max reads as -1 (same bits on the wire).
      fUint64: -1,
      fUint32: 4294967295,
      fSint32: -2147483648,
      fBool: true,
      fString: 'grüße 🐄',
      fBytes: 'AP8=',
      color: 'COLOR_BLUE',
      mood: 'MOOD_HAPPY',
      inner: { label: 'in', numbers: [1, -1] },
      optInt32: null,
      choiceText: null,
    });
    // int64 min survives in PHP (JSON turns it into an approximate JS number here).
    expect(r.array!.fInt64 as number).toBeLessThan(-9.2e18);
  });

  it('keeps explicit presence: unset optionals are null, set zero values survive', async () => {
    const r = (await throughPhp([{ name: 'p', class: 'Fixture\\V1\\AllTypes', hex: Buffer.from(toBinary(AllTypes, fromJson(AllTypes, CASES.presence!))).toString('hex') }])).get('p')!;
    expect(r.array).toMatchObject({ optInt32: 0, optString: '', optBool: false, optColor: 'COLOR_UNSPECIFIED' });
  });

  it('refuses malformed bytes with DecodeException', async () => {
    const bad = [
      ['truncated varint', '08ff'],
      ['length past the end', '4a05616263'],
      ['invalid UTF-8 in a string', '4a02c328'],
      ['wire type 7', '0f'],
      ['field number 0', '0001'],
      ['varint for a string field', '4801'],
      ['unterminated group', '0b'],
    ];
    const results = await throughPhp(bad.map(([name, hex]) => ({ name: name!, class: 'Fixture\\V1\\AllTypes', hex: hex! })));
    for (const [name] of bad) expect(results.get(name!)!.error, name).toMatch(/^MailcowScim\\Protobuf\\DecodeException: /);
  });

  it('skips unknown fields of every wire type', async () => {
    // fields 100 (varint), 101 (i64), 102 (len), 103 (i32), 104 (group) then f_int32 = 5
    const hex = 'a006' + '01' + 'a906' + '0102030405060708' + 'b206' + '026869' + 'bd06' + '01020304' + 'c306' + '0801' + 'c406' + '2805';
    const r = (await throughPhp([{ name: 'u', class: 'Fixture\\V1\\AllTypes', hex }])).get('u')!;
    expect(r.error).toBeUndefined();
    expect(r.array!.fInt32).toBe(5);
  });
});
