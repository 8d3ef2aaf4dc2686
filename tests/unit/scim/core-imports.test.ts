import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The protocol core pieces (schema, filter, patch, projection) import no transport, storage or
 * generated code (docs/architecture.md §9), use `.js` relative imports (ESM),
 * and depend on each other in one direction: schema ← filter ← patch ← projection.
 */

const ROOT = join(import.meta.dirname, '../../../server/src/scim');
const LAYERS = ['schema', 'filter', 'patch', 'projection'] as const;
const FORBIDDEN = [/^node:http/, /^mysql2/, /^@grpc\/grpc-js/, /\.\.\/(http|rpc|mailcow|gen)(\/|$)/];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

const files = [join(ROOT, 'attribute-path.ts'), ...LAYERS.flatMap((layer) => sources(join(ROOT, layer)))];

describe('SCIM core imports', () => {
  it.each(files.map((f) => [relative(ROOT, f), f]))('%s imports nothing outside the core', (_, file) => {
    for (const spec of importsOf(file)) {
      for (const pattern of FORBIDDEN) expect(spec, `${file} imports ${spec}`).not.toMatch(pattern);
      if (spec.startsWith('.')) expect(spec, `${file}: relative imports end in .js`).toMatch(/\.js$/);
    }
  });

  it('keeps the layers acyclic: schema ← filter ← patch ← projection', () => {
    for (const [index, layer] of LAYERS.entries()) {
      const later = LAYERS.slice(index + 1);
      for (const file of sources(join(ROOT, layer))) {
        for (const spec of importsOf(file)) {
          for (const other of later) expect(spec, `${layer} must not import ${other}`).not.toContain(`../${other}/`);
        }
      }
    }
  });

  it('goes through each folder\'s index.ts from outside it', () => {
    for (const layer of LAYERS) {
      for (const file of sources(join(ROOT, layer))) {
        for (const spec of importsOf(file)) {
          const deep = /^\.\.\/(schema|filter|patch|projection)\/(?!index\.js$)/.exec(spec);
          expect(deep, `${relative(ROOT, file)} reaches into ${spec}`).toBeNull();
        }
      }
    }
  });

  it('has an index.ts in every folder', () => {
    for (const layer of LAYERS) expect(statSync(join(ROOT, layer, 'index.ts')).isFile()).toBe(true);
  });
});
