/**
 * node:http, loaded with require rather than an ESM import. Node builds the ESM namespace of a
 * built-in by reading every export, and node:http's WebSocket, CloseEvent and MessageEvent are
 * getters that load Node's bundled undici (fetch, WebSocket): about 12 MB of resident memory, for
 * the life of the sidecar, for code it never runs (`npm run bench:memory`). require leaves the
 * getters untouched. Import node:http from here; `import type` from node:http is fine.
 */
import { createRequire } from 'node:module';
import type * as NodeHttp from 'node:http';

const http = createRequire(import.meta.url)('node:http') as typeof NodeHttp;

export const createServer: typeof NodeHttp.createServer = http.createServer;
