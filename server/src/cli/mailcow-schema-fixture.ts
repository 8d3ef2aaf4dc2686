/**
 * Loads the mailcow schema fixture (tests/fixtures/mailcow-schema/: schema.sql, then seed.sql)
 * into an empty database, for `mailcow-scim demo`, the benchmark and the tests. The SQL is test
 * data checked against mailcow's own init_db (docs/mailcow-facts.md, "Refreshing the schema
 * fixture"); it lives in a checkout, not in the container image, so the sidecar proper never
 * depends on it and the demo says so when it is missing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAILCOW_DB_SCHEMA_VERSION, MAILCOW_RELEASE } from '../mailcow/mailcow-release.js';
import type { Queryable } from '../mailcow/queryable.js';

/** The fixture's place inside a mailcow-scim checkout. */
export const MAILCOW_SCHEMA_FIXTURE_DIR = 'tests/fixtures/mailcow-schema';
const FILES = ['schema.sql', 'seed.sql'] as const;

export class MailcowSchemaFixtureMissing extends Error {
  constructor(searchedFrom: string) {
    super(
      `the mailcow schema fixture (${MAILCOW_SCHEMA_FIXTURE_DIR}/) is not in this installation ` +
        `(searched upwards from ${searchedFrom}). The demo builds its database from it, and only a ` +
        'mailcow-scim checkout has it: the container image does not. Run `npm run demo` in a checkout.',
    );
    this.name = 'MailcowSchemaFixtureMissing';
  }
}

/**
 * The fixture directory of the checkout this module runs from: the module lives in server/src/cli
 * (tests, tsx) or dist/cli (built), so the checkout is found by walking up, not by a fixed depth.
 */
export function findMailcowSchemaFixture(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, MAILCOW_SCHEMA_FIXTURE_DIR);
    if (FILES.every((f) => existsSync(join(candidate, f)))) return candidate;
    if (dirname(dir) === dir) throw new MailcowSchemaFixtureMissing(from);
  }
}

/**
 * Splits a MariaDB script into statements at every `;` outside quotes and comments. Quoted
 * strings follow MariaDB's default lexing ('' and \ escapes, as mailcow's server runs without
 * NO_BACKSLASH_ESCAPES); `--` needs a following blank, as in MariaDB. Comments are dropped.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1] ?? '';
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (script[j] === '\\' && c !== '`') j += 2;
        else if (script[j] === c && script[j + 1] === c) j += 2;
        else if (script[j] === c) break;
        else j++;
      }
      if (j >= n) throw new Error(`unterminated ${c}-quoted text in SQL: ${script.slice(i, i + 40)}…`);
      current += script.slice(i, j + 1);
      i = j + 1;
    } else if ((c === '-' && next === '-' && /[\s]/.test(script[i + 2] ?? '\n')) || c === '#') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new Error('unterminated /* comment in SQL');
      i = end + 2;
    } else if (c === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i++;
    } else {
      current += c;
      i++;
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** Every statement of the fixture, schema first, then seed rows. */
export async function mailcowSchemaFixtureStatements(dir: string = findMailcowSchemaFixture()): Promise<string[]> {
  const scripts = await Promise.all(FILES.map((f) => readFile(join(dir, f), 'utf8')));
  return scripts.flatMap(splitSqlStatements);
}

/**
 * Builds mailcow's schema and seed rows on the (empty) database `db` is connected to. DDL commits
 * implicitly in MariaDB, so a failure leaves the statements before it applied, much like a failed
 * mailcow migration (docs/mailcow-facts.md §1.1).
 *
 * The fixture must be the mailcow release the code follows: a fixture refreshed without the code
 * (or the reverse) would let every test pass against a schema the sidecar was not written for.
 */
export async function installMailcowSchemaFixture(db: Queryable, dir?: string): Promise<void> {
  for (const statement of await mailcowSchemaFixtureStatements(dir)) {
    await db.query(statement);
  }
  const [rows] = await db.query(`SELECT version FROM versions WHERE application = 'db_schema'`);
  const loaded = String((rows as { version?: unknown }[])[0]?.version ?? '(none)');
  if (loaded !== MAILCOW_DB_SCHEMA_VERSION) {
    throw new Error(
      `the mailcow schema fixture is db_schema ${loaded}, but this code follows mailcow ${MAILCOW_RELEASE} ` +
        `(db_schema ${MAILCOW_DB_SCHEMA_VERSION}): refresh both together (docs/mailcow-facts.md, "Refreshing the schema fixture")`,
    );
  }
}
