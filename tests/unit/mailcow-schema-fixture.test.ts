/**
 * The schema fixture's pieces without a database: mailcow's files are the release SOURCE.json
 * names, byte for byte; the fixture, mailcow's files and the code agree on the mailcow version;
 * the SQL splitter; and the clear refusal where there is no checkout (the container image).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findMailcowSchemaFixture,
  MAILCOW_SCHEMA_FIXTURE_DIR,
  MailcowSchemaFixtureMissing,
  mailcowSchemaFixtureStatements,
  splitSqlStatements,
} from '../../server/src/cli/mailcow-schema-fixture.js';
import { KNOWN_MAILCOW_DB_VERSIONS } from '../../server/src/install/hunks.js';
import { MAILCOW_AUTHSOURCES, MAILCOW_DB_SCHEMA_VERSION, MAILCOW_RELEASE } from '../../server/src/mailcow/mailcow-release.js';

const UPSTREAM = 'tests/fixtures/mailcow-upstream';
const source = JSON.parse(readFileSync(`${UPSTREAM}/SOURCE.json`, 'utf8')) as { release: string; commit: string; files: Record<string, string> };
const initDb = readFileSync(`${UPSTREAM}/data/web/inc/init_db.inc.php`, 'utf8');
const schemaSql = readFileSync(`${MAILCOW_SCHEMA_FIXTURE_DIR}/schema.sql`, 'utf8');
const seedSql = readFileSync(`${MAILCOW_SCHEMA_FIXTURE_DIR}/seed.sql`, 'utf8');

/** What `git hash-object` prints for a file: the id mailcow's repository has for that blob. */
const gitBlobId = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

describe("mailcow's files in tests/fixtures/mailcow-upstream", () => {
  it.each(Object.entries(source.files))('%s is the unchanged file of the release', (path, blob) => {
    expect(gitBlobId(readFileSync(join(UPSTREAM, path)))).toBe(blob);
  });

  it('are the release the code follows, with the schema version the code, the seed rows and install expect', () => {
    expect(source.release).toBe(MAILCOW_RELEASE);
    expect(/\$db_version = "([^"]+)";/.exec(initDb)?.[1]).toBe(MAILCOW_DB_SCHEMA_VERSION);
    expect(seedSql).toContain(`VALUES ('db_schema', '${MAILCOW_DB_SCHEMA_VERSION}')`);
    expect(KNOWN_MAILCOW_DB_VERSIONS).toContain(MAILCOW_DB_SCHEMA_VERSION);
  });

  it("declare mailbox.authsource with the values the code knows, and so does the fixture", () => {
    const literal = `ENUM(${MAILCOW_AUTHSOURCES.map((v) => `'${v}'`).join(', ')}) DEFAULT 'mailcow'`;
    expect(initDb).toContain(`"authsource" => "${literal}"`);
    expect(schemaSql).toContain(`\`authsource\` ${literal},`);
  });
});

describe('splitSqlStatements', () => {
  it('splits at semicolons outside quotes and drops comments', () => {
    expect(
      splitSqlStatements(`-- a comment; with a semicolon
CREATE TABLE t (a TEXT DEFAULT 'x;y', \`b;c\` INT); # another; comment
/* block; comment */ INSERT INTO t VALUES ('it''s; fine', "dq;\\" still");
SELECT 1--1;
SELECT 2`),
    ).toEqual([
      "CREATE TABLE t (a TEXT DEFAULT 'x;y', `b;c` INT)",
      `INSERT INTO t VALUES ('it''s; fine', "dq;\\" still")`,
      'SELECT 1--1',
      'SELECT 2',
    ]);
  });

  it('keeps a backslash-escaped quote inside a string', () => {
    expect(splitSqlStatements(String.raw`SELECT 'a\';b'; SELECT 3;`)).toEqual([String.raw`SELECT 'a\';b'`, 'SELECT 3']);
  });

  it('refuses unterminated text rather than guessing', () => {
    expect(() => splitSqlStatements("SELECT 'open; SELECT 2;")).toThrow(/unterminated '-quoted text/);
    expect(() => splitSqlStatements('SELECT 1; /* open')).toThrow(/unterminated \/\* comment/);
  });

  it('gives one statement per table, two per view (drop, create) and three seed rows from the fixture', async () => {
    const statements = await mailcowSchemaFixtureStatements();
    const tables = [...schemaSql.matchAll(/^CREATE TABLE /gm)].length;
    const views = [...schemaSql.matchAll(/^CREATE VIEW /gm)].length;
    expect(tables).toBeGreaterThan(30);
    expect(views).toBe(6);
    expect(statements).toHaveLength(tables + 2 * views + 3);
    expect(statements.every((s) => /^(CREATE TABLE|DROP VIEW|CREATE VIEW|REPLACE INTO|INSERT INTO) /.test(s))).toBe(true);
  });
});

describe('findMailcowSchemaFixture', () => {
  const empty = mkdtempSync(join(tmpdir(), 'mcs-no-checkout-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('finds the checkout it runs from', () => {
    expect(findMailcowSchemaFixture()).toBe(resolve(MAILCOW_SCHEMA_FIXTURE_DIR));
  });

  it('says that a checkout is needed where there is none (the container image)', () => {
    expect(() => findMailcowSchemaFixture(empty)).toThrow(MailcowSchemaFixtureMissing);
    expect(() => findMailcowSchemaFixture(empty)).toThrow(/only a mailcow-scim checkout has it: the container image does not\. Run `npm run demo` in a checkout/);
  });
});
