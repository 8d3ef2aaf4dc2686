/** `mailcow-scim serve`, `migrate` and `demo` (`doctor` lives in install-commands.ts). */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { readDatabaseState } from '../mailcow/database-state.js';
import { addDomainLikeMailcow } from '../mailcow/domains.js';
import { createPool, withDatabase } from '../mailcow/pool.js';
import { prepareDatabase, startSidecar, type Sidecar } from '../main.js';
import { openContext } from './context.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';
import { findMailcowSchemaFixture, installMailcowSchemaFixture } from './mailcow-schema-fixture.js';

function waitForSignal(sidecar: Sidecar, io: CliIo): Promise<number> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      print(io.stderr, `${signal} received: draining in-flight requests…`);
      sidecar.stop().then(
        () => done(0),
        () => done(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export const serverCommands: CliCommand[] = [
  {
    path: ['serve'],
    summary: 'run the sidecar (SCIM over HTTP, gRPC for the PHP bridge)',
    usage: `mailcow-scim serve

Configuration comes from the environment: MARIADB_URL, SCIM_HTTP_SOCKET, SCIM_HTTP_PORT,
SCIM_HTTP_HOST, SCIM_RPC_SOCKET, SCIM_METRICS_PORT, REDIS_URL, MEMCACHED_URL, LOG_LEVEL
(see README.md). Stops gracefully on SIGTERM/SIGINT.`,
    async run(args, io) {
      parseArgs({ args, options: { help: { type: 'boolean' } } });
      const config = loadConfig(io.env);
      const logger = createLogger({ level: config.logLevel });
      const sidecar = await startSidecar(config, logger);
      return waitForSignal(sidecar, io);
    },
  },
  {
    path: ['migrate'],
    summary: "create/upgrade the mailcow_scim_* tables and add 'scim' to mailbox.authsource",
    usage: `mailcow-scim migrate [--json]

Checks first that MARIADB_URL is mailcow's database (its tables and the columns mailcow-scim
relies on) and, if not, says what is missing and writes nothing. Then creates or upgrades the
mailcow_scim_* tables and adds 'scim' to mailbox.authsource.`,
    async run(args, io) {
      const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } } });
      const ctx = openContext(io);
      try {
        await prepareDatabase(ctx.pool, { ensureAuthsource: true }, ctx.logger);
        const s = await readDatabaseState(ctx.pool);
        if (values.json) {
          print(io.stdout, JSON.stringify({ pluginSchemaVersion: s.pluginSchemaVersion, pluginSchemaTarget: s.pluginSchemaTarget, authsourceHasScim: s.authsourceHasScim, writesAllowed: s.writesAllowed, ...(s.writesAllowed ? {} : { problem: s.problem }) }));
        } else {
          print(io.stdout, `plugin schema: version ${s.pluginSchemaVersion} of ${s.pluginSchemaTarget}`);
          print(io.stdout, `mailbox.authsource accepts 'scim': ${s.authsourceHasScim ? 'yes' : 'no'}`);
          if (!s.writesAllowed) print(io.stdout, s.problem);
        }
        return s.writesAllowed ? 0 : 1;
      } finally {
        await ctx.close();
      }
    },
  },
  {
    path: ['demo'],
    summary: 'a first look: demo database, one domain, a fresh token, the sidecar on 127.0.0.1:8080',
    usage: `mailcow-scim demo [--database NAME] [--domain DOMAIN] [--port PORT]

Creates (or re-creates) the database NAME (default mailcow_scim_demo) on the MariaDB server of
MARIADB_URL (default mysql://root@127.0.0.1:3306) with a mailcow-compatible schema and the domain
DOMAIN (default example.org), issues a SCIM token for it, prints the token once, and serves SCIM on
http://127.0.0.1:PORT/scim/v2 and on sockets under ./.demo/. PORT is --port, else SCIM_HTTP_PORT,
else 8080; 0 picks a free port (the one chosen is printed).

Needs a mailcow-scim checkout: the schema comes from tests/fixtures/mailcow-schema/, which the
container image does not carry.`,
    async run(args, io) {
      const { values } = parseArgs({
        args,
        options: { database: { type: 'string' }, domain: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' } },
      });
      const database = values.database ?? 'mailcow_scim_demo';
      if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) throw new UsageError('--database must be letters, digits and _');
      const domain = (values.domain ?? 'example.org').toLowerCase();
      // The README's configuration table says SCIM_HTTP_PORT chooses the TCP port; the demo honours it.
      const portText = values.port ?? (io.env.SCIM_HTTP_PORT || '8080');
      if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`the port must be a number from 0 to 65535, not "${portText}"`);
      const port = Number(portText);
      // Before anything is dropped: in the container image there is no fixture to rebuild from.
      const schemaFixture = findMailcowSchemaFixture();
      const serverUrl = withDatabase(io.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306', '');
      const admin = createPool(serverUrl, { connectionLimit: 1 });
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
      } finally {
        await admin.end();
      }
      const mariadbUrl = withDatabase(serverUrl, database);
      const dir = resolve('.demo');
      await mkdir(dir, { recursive: true });
      const env = {
        ...io.env,
        MARIADB_URL: mariadbUrl,
        SCIM_HTTP_SOCKET: `${dir}/http.sock`,
        SCIM_RPC_SOCKET: `${dir}/rpc.sock`,
        SCIM_HTTP_PORT: undefined,
        SCIM_HTTP_HOST: '127.0.0.1',
      };
      // As an override, because the demo also takes 0 (a free port), which the variable does not.
      const config = loadConfig(env, { httpPort: port });
      const logger = createLogger({ level: config.logLevel });
      const setup = createPool(mariadbUrl, { connectionLimit: 1 });
      try {
        await installMailcowSchemaFixture(setup, schemaFixture);
        await addDomainLikeMailcow(setup, { domain, description: 'mailcow-scim demo domain' });
        await prepareDatabase(setup, config, logger);
      } finally {
        await setup.end();
      }
      const sidecar = await startSidecar(config, logger);
      const issued = await sidecar.tokens.create('demo', { domains: [domain], defaultDomain: domain });
      const base = `http://127.0.0.1:${sidecar.httpPort}/scim/v2`;
      print(
        io.stdout,
        `
mailcow-scim demo is running.
  database     ${database} (mailcow-compatible schema, domain ${domain})
  SCIM (TCP)   ${base}
  SCIM (unix)  ${dir}/http.sock
  gRPC (unix)  ${dir}/rpc.sock

SCIM token (shown once): ${issued.secret}

Try:
  export TOKEN='${issued.secret}'
  curl -s ${base}/ServiceProviderConfig
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' \\
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jane@${domain}","name":{"givenName":"Jane","familyName":"Doe"},"active":true}' \\
    ${base}/Users
  curl -s -H "Authorization: Bearer $TOKEN" '${base}/Users?filter=userName%20eq%20%22jane@${domain}%22'

Ctrl-C stops it.`,
      );
      return waitForSignal(sidecar, io);
    },
  },
];
