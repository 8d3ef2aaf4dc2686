/**
 * The layering of docs/architecture.md §9, checked by dependency-cruiser with the rules of
 * .dependency-cruiser.cjs (the same ones `npm run check:deps` runs): the real tree has no
 * violation, and a planted one is caught, so the check can fail.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIG = './.dependency-cruiser.cjs';

async function violationsIn(dirs: string[], options: ICruiseOptions, tsConfigFile?: string): Promise<string[]> {
  const tsConfig = tsConfigFile ? extractTSConfig(tsConfigFile) : undefined;
  const { output } = await cruise(dirs, options, undefined, tsConfig ? { tsConfig } : undefined);
  if (typeof output === 'string') throw new Error(`depcruise answered text, not a result: ${output.slice(0, 200)}`);
  return output.summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('architecture (dependency-cruiser)', () => {
  it('the tree keeps every rule of .dependency-cruiser.cjs', async () => {
    const options = await extractDepcruiseOptions(CONFIG);
    expect(await violationsIn(['server/src'], options, 'tsconfig.json')).toEqual([]);
  }, 120_000);

  describe('a planted violation', () => {
    let root = '';
    const plant = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'mcs-depcruise-'));
      plant('server/src/users/index.ts', 'export const UserService = 1;\n');
      plant('server/src/users/ports.ts', 'export interface UserStore { n: number }\nexport const NOT_A_TYPE = 1;\n');
      plant('server/src/scim/planted.ts', "import { UserService } from '../users/index.js';\nexport const planted = UserService;\n");
      plant('server/src/mailcow/planted.ts', "import { NOT_A_TYPE } from '../users/ports.js';\nimport type { UserStore } from '../users/ports.js';\nexport const n: UserStore['n'] = NOT_A_TYPE;\n");
      plant('server/src/outbox/planted.ts', "import { createPool } from '../mailcow/pool.js';\nexport const planted = createPool;\n");
      plant('server/src/mailcow/pool.ts', 'export const createPool = 1;\n');
      plant('server/src/http/a.ts', "import type { B } from './b.js';\nexport type A = B | 1;\n");
      plant('server/src/http/b.ts', "import type { A } from './a.js';\nexport type B = A | 2;\n");
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('is caught: the core importing ../users, a port imported for a value, a type-only cycle, the outbox writing SQL itself', async () => {
      const options = await extractDepcruiseOptions(CONFIG);
      const found = await violationsIn(['server/src'], { ...options, baseDir: root });
      expect(found).toEqual(
        expect.arrayContaining([
          'scim-core-imports-only-itself: server/src/scim/planted.ts → server/src/users/index.ts',
          'below-use-cases-no-users-groups: server/src/scim/planted.ts → server/src/users/index.ts',
          'below-use-cases-ports-types-only: server/src/mailcow/planted.ts → server/src/users/ports.ts',
          expect.stringMatching(/^no-circular: server\/src\/http\/(a|b)\.ts → /),
          'outbox-through-its-ports: server/src/outbox/planted.ts → server/src/mailcow/pool.ts',
        ]),
      );
    }, 60_000);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture (beyond imports)', () => {
  it('nothing but config.ts reads process.env', () => {
    const readers = filesUnder('server/src').filter((f) => /process\.env/.test(readFileSync(f, 'utf8')));
    expect(readers.sort()).toEqual(['server/src/config.ts']);
  });

  it('every layer of the SCIM core has the index.ts the others import it through', () => {
    for (const layer of ['schema', 'filter', 'patch', 'projection']) expect(statSync(join('server/src/scim', layer, 'index.ts')).isFile()).toBe(true);
  });
});
