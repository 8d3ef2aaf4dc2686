/**
 * What the running sidecar holds in memory for its life: no schema compiler. Its routes declare
 * no fastify schemas (bodies are checked by scim-json-body.ts and the SCIM core), so the app's
 * schemaController refuses them, and fastify's default compilers, ajv (with its formats and JTD)
 * and fast-json-stringify, are never loaded (server/src/http/app.ts). Checked on the real
 * `mailcow-scim serve` (over dist/, as the image runs it) after a create, a lookup and refused
 * requests, by a module hook that lists every module the process loaded.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scimClient } from '../../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/mariadb.js';
import { CORE_USER, issueToken } from '../../helpers/process-fixture.js';
import { startSidecarProcess, type SidecarProcess } from '../../helpers/sidecar-process.js';

const D = 'modules.org';
const HOOK = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.MCS_TEST_MODULE_LIST, JSON.stringify(loaded)));
`;

let db: TestDatabase;
let dir: string;
let sidecar: SidecarProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase({ domains: [{ domain: D, mailboxes: 10, defquotaMiB: 1, maxquotaMiB: 10, quotaMiB: 1_000 }] });
  dir = await mkdtemp(join(tmpdir(), 'mcs-modules-'));
});
afterAll(async () => {
  await sidecar?.stop().catch(() => undefined);
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

it('serve loads no schema compiler (ajv, fast-json-stringify), requests answered included', async () => {
  const list = join(dir, 'modules.json');
  sidecar = await startSidecarProcess({
    MARIADB_URL: db.url,
    SCIM_RPC_SOCKET: join(dir, 'rpc.sock'),
    NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(HOOK)}`,
    MCS_TEST_MODULE_LIST: list,
  });
  const token = await issueToken(db.pool, [D], { migrate: false });
  const api = scimClient(sidecar.baseUrl, token);
  const created = await api.post('/Users', { schemas: [CORE_USER], userName: `a@${D}` });
  expect(created.status, created.text).toBe(201);
  expect((await api.get(`/Users?filter=${encodeURIComponent(`userName eq "a@${D}"`)}`)).status).toBe(200);
  // Refusals go through fastify's error path (a 400 of our own, a 404 of the router).
  expect((await api.post('/Users', { schemas: [CORE_USER] })).status).toBe(400);
  expect((await api.get('/NoSuchEndpoint')).status).toBe(404);
  await sidecar.stop();
  const loaded = JSON.parse(await readFile(list, 'utf8')) as string[];
  // The hook saw the sidecar's own modules and fastify's (so an empty list cannot pass).
  expect(loaded.some((url) => url.endsWith('/main.js'))).toBe(true);
  expect(loaded.some((url) => url.includes('/node_modules/fastify/'))).toBe(true);
  const compilers = loaded.filter((url) => /\/node_modules\/(ajv|ajv-formats|@fastify\/ajv-compiler|fast-json-stringify|@fastify\/fast-json-stringify-compiler)\//.test(url));
  // fastify's own precompiled serializer of its error bodies is all it takes from fast-json-stringify.
  expect(compilers.filter((url) => !/\/fast-json-stringify\/lib\/(serializer|v8)\.js$/.test(url))).toEqual([]);
});
