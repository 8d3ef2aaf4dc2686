/**
 * The rules every migration keeps: numbered 1, 2, 3, … in order (forward only), and additive,
 * because an older image keeps reading a newer schema while it refuses writes.
 */
import { describe, expect, it } from 'vitest';
import { checkForwardOnly, MIGRATIONS, SCHEMA_TARGET_VERSION, type Migration } from '../../../server/src/mailcow/migrations.js';

/** What a migration may do: create what does not exist, add to what does, (re)define a view. */
const ADDITIVE = [
  /^CREATE TABLE IF NOT EXISTS mailcow_scim_\w+ \(/,
  /^CREATE OR REPLACE VIEW mailcow_scim_\w+ AS/,
  /^ALTER TABLE mailcow_scim_\w+ ADD (INDEX|KEY|COLUMN|CONSTRAINT) IF NOT EXISTS /,
];
const FORBIDDEN = /\b(DROP|RENAME|MODIFY|CHANGE|TRUNCATE|DELETE|UPDATE)\b/i;

describe('migrations', () => {
  it('are numbered 1, 2, 3, … in order, and the target is the last', () => {
    expect(() => checkForwardOnly(MIGRATIONS)).not.toThrow();
    expect(SCHEMA_TARGET_VERSION).toBe(MIGRATIONS.length);
    const m = (version: number): Migration => ({ version, name: `m${version}`, statements: [] });
    expect(() => checkForwardOnly([m(1), m(3)])).toThrow(/version 3 where 2 was expected/);
    expect(() => checkForwardOnly([m(2), m(1)])).toThrow(/version 2 where 1 was expected/);
  });

  it('only add: every statement creates, adds or redefines a view, and none drops, renames or retypes', () => {
    for (const m of MIGRATIONS) {
      for (const sql of m.statements) {
        const flat = sql.replace(/\s+/g, ' ').trim();
        expect(ADDITIVE.some((r) => r.test(flat)), `migration ${m.version}: ${flat.slice(0, 80)}`).toBe(true);
        // Column definitions may say ON DELETE CASCADE; statements themselves never delete or change.
        expect(FORBIDDEN.test(flat.replace(/ON (DELETE|UPDATE) (CASCADE|SET NULL|RESTRICT)/g, '')), `migration ${m.version}: ${flat.slice(0, 80)}`).toBe(false);
      }
    }
  });
});
