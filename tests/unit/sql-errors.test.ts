/** What a driver error means to a client (mailcow/sql-errors.ts), and what is not a driver error. */
import { describe, expect, it } from 'vitest';
import { recognizeDriverError, translateSqlError } from '../../server/src/mailcow/sql-errors.js';
import { ScimError } from '../../server/src/scim/index.js';

const driver = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.sqlMessage ?? fields.code ?? 'driver')), fields);

describe('recognizeDriverError', () => {
  it.each([
    ['a refused connection', driver({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect', fatal: true }), 'database_unreachable'],
    ['a lost connection', driver({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'database_unreachable'],
    ['too many connections', driver({ code: 'ER_CON_COUNT_ERROR', errno: 1040, sqlState: '08004', sqlMessage: 'Too many connections' }), 'database_unreachable'],
    ['a closed pool', driver({ code: 'POOL_CLOSED' }), 'database_unreachable'],
    ['a duplicate key', driver({ code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000', sqlMessage: "Duplicate entry 'x' for key 'PRIMARY'" }), 'uniqueness'],
    [
      "a lost 'scim' ENUM value",
      driver({ code: 'WARN_DATA_TRUNCATED', errno: 1265, sqlState: '01000', sqlMessage: "Data truncated for column 'authsource' at row 1" }),
      'authsource_missing',
    ],
    ['any other statement error', driver({ code: 'ER_PARSE_ERROR', errno: 1064, sqlState: '42000', sqlMessage: 'You have an error' }), 'internal'],
  ])('%s', (_what, error, code) => {
    expect(recognizeDriverError(error)?.code).toBe(code);
    expect(translateSqlError(new Error('wrapped', { cause: error })).code).toBe(code);
  });

  it('is not fooled by errors of other clients: Redis, files, fastify', () => {
    expect(recognizeDriverError(driver({ code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }))).toBeUndefined();
    expect(recognizeDriverError(driver({ code: 'ENOENT', errno: -2, syscall: 'open' }))).toBeUndefined();
    expect(recognizeDriverError(driver({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }))).toBeUndefined();
    expect(recognizeDriverError(ScimError.notFound('x'))).toBeUndefined();
  });

  it('keeps the driver message (host, port) out of what a client sees', () => {
    const e = recognizeDriverError(driver({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.1.2.3:3306', fatal: true }))!;
    expect(e.detail).not.toContain('10.1.2.3');
    expect(e.retryAfter).toBe(5);
  });
});
