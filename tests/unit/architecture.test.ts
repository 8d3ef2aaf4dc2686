/** The dependency rule of docs/architecture.md §9: the SCIM core imports no transport, driver or adapter. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

const CORE_FORBIDDEN = [/^node:http/, /^mysql2/, /^@grpc\//, /^fastify/, /^ioredis/, /\.\.\/(http|rpc|mailcow|gen|tokens)\//];

describe('architecture', () => {
  it('server/src/scim imports nothing of HTTP, gRPC, SQL or the adapters', () => {
    const offenders = filesUnder('server/src/scim').flatMap((f) => importsOf(f).filter((i) => CORE_FORBIDDEN.some((re) => re.test(i))).map((i) => `${f}: ${i}`));
    expect(offenders).toEqual([]);
  });
  it('only mailcow/ imports mysql2 and only rpc/ (and the composition root) imports gen/', () => {
    const all = filesUnder('server/src').filter((f) => !f.includes('/gen/'));
    const mysql = all.filter((f) => importsOf(f).some((i) => i.startsWith('mysql2')) && !f.includes('/mailcow/'));
    // main.ts wires the generated service definitions into the server; handlers live in rpc/.
    const gen = all.filter((f) => importsOf(f).some((i) => i.includes('/gen/')) && !f.includes('/rpc/') && !f.endsWith('main.ts'));
    expect(mysql).toEqual([]);
    expect(gen).toEqual([]);
  });
  it('stores import only the port types of the use cases, so nothing below a use case calls back up into one', () => {
    // Type-only imports of the ports are erased at run time: a store cannot hold, construct or
    // call anything of users/ or groups/.
    const useCase = /\.\.\/(users|groups|unit-of-work)\//;
    const port = /\.\.\/((users|groups)\/ports|unit-of-work\/(index|ports))\.js$/;
    const offenders = filesUnder('server/src/mailcow').flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^(?:import|export)(\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)]
        .filter(([, typeOnly, from]) => useCase.test(from!) && !(typeOnly && port.test(from!)))
        .map(([statement]) => `${f}: ${statement}`),
    );
    expect(offenders).toEqual([]);
  });
  it('provisioning/ is pure: no storage, transport or other use case', () => {
    const offenders = filesUnder('server/src/provisioning').flatMap((f) =>
      importsOf(f).filter((i) => /^(mysql2|ioredis|fastify|@grpc\/)|\.\.\/(mailcow|http|rpc|users|groups|unit-of-work)\//.test(i)).map((i) => `${f}: ${i}`),
    );
    expect(offenders).toEqual([]);
  });
  it('nothing but config.ts and the CLI entry read process.env', () => {
    const readers = filesUnder('server/src').filter((f) => /process\.env/.test(readFileSync(f, 'utf8')));
    expect(readers.sort()).toEqual(['server/src/config.ts']);
  });
});
