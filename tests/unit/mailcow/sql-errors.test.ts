/** Driver errors that mean "the database cannot be used now" are 503s, not 500s. */
import { describe, expect, it } from 'vitest';
import { translateSqlError } from '../../../server/src/mailcow/sql-errors.js';

// As mysql2 reports them from MariaDB 10.11 (codes are mysql2's names for the numbers, not MariaDB's).
const driver = (code: string, errno: number, sqlMessage = code) => Object.assign(new Error(sqlMessage), { code, errno, sqlMessage });

describe('translateSqlError', () => {
  it('answers 503 with Retry-After when MariaDB refuses the sidecar’s login (account locked, access denied, host blocked)', () => {
    for (const [code, errno] of [
      ['ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE', 4151], // "Access denied, this account is locked"
      ['ER_ACCESS_DENIED_ERROR', 1045],
      ['ER_HOST_IS_BLOCKED', 1129],
      ['ER_HOST_NOT_PRIVILEGED', 1130],
      ['ECONNREFUSED', -111],
    ] as const) {
      const e = translateSqlError(driver(code, errno));
      expect(e.status, code).toBe(503);
      expect(e.detail).toBe('The mailcow database is unreachable; try again shortly.');
      expect(e.retryAfter).toBe(5);
    }
  });

  it('keeps other statement errors as 500s', () => {
    expect(translateSqlError(driver('ER_NO_SUCH_TABLE', 1146)).status).toBe(500);
  });
});
