/**
 * Records the SQL statements this test process sends to MariaDB, for statement budgets: a
 * request's cost on the database is mostly its round trips (docs/performance.md), and their
 * count, unlike a time, is the same on a busy machine as on a quiet one.
 *
 * It wraps mysql2's connection methods once per process, so it sees what an in-process sidecar
 * (tests/helpers/sidecar.ts) sends on every pooled connection; it changes nothing they do.
 */
import { createRequire } from 'node:module';
import { STATEMENT_SEPARATOR } from '../../server/src/mailcow/statement-batch.js';

export interface StatementLog {
  /**
   * Statement texts (whitespace collapsed) since the last start(): a batch of several
   * (server/src/mailcow/statement-batch.ts) counts as each of its statements.
   */
  readonly statements: string[];
  /** Round trips since the last start(): one per query or execute, with the statements it carried. */
  readonly roundTrips: string[][];
  /** Forgets what was recorded and records from now on. */
  start(): void;
  /** Stops recording and returns what was recorded. */
  stop(): string[];
}

interface Recorder {
  on: boolean;
  statements: string[];
  roundTrips: string[][];
}

const recorder: Recorder = { on: false, statements: [], roundTrips: [] };
let wrapped = false;

function wrapConnection(): void {
  if (wrapped) return;
  wrapped = true;
  const require = createRequire(import.meta.url);
  const mysql = require('mysql2') as { Connection: { prototype: Record<string, (...args: unknown[]) => unknown> } };
  // query and execute are the two doors every statement goes through: the promise API,
  // pool.query/execute and transactions (START TRANSACTION and COMMIT are queries) all end here.
  for (const method of ['query', 'execute'] as const) {
    const original = mysql.Connection.prototype[method]!;
    mysql.Connection.prototype[method] = function (this: unknown, ...args: unknown[]) {
      if (recorder.on) {
        const first = args[0];
        const sql = typeof first === 'string' ? first : (first as { sql?: unknown } | undefined)?.sql;
        const statements = String(sql)
          .split(STATEMENT_SEPARATOR)
          .map((statement) => statement.replace(/\s+/g, ' ').trim());
        recorder.roundTrips.push(statements);
        recorder.statements.push(...statements);
      }
      return original.apply(this, args);
    };
  }
}

export function statementLog(): StatementLog {
  wrapConnection();
  return {
    get statements() {
      return recorder.statements;
    },
    get roundTrips() {
      return recorder.roundTrips;
    },
    start() {
      recorder.statements = [];
      recorder.roundTrips = [];
      recorder.on = true;
    },
    stop() {
      recorder.on = false;
      return recorder.statements;
    },
  };
}
