/**
 * The private MariaDB the crash tests start must leave the machine's own MariaDB alone. A
 * mariadbd deletes every `#sql*` file in its tmpdir when it starts; with /tmp shared, that
 * removed the temporary tables of queries other test files were running against the machine's
 * MariaDB at that moment, and those queries failed ("Can't find file", a 500 in a bench run).
 */
import { randomBytes } from 'node:crypto';
import { access, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrivateMariadb, type PrivateMariadb } from '../../helpers/private-mariadb.js';

// Named like a MariaDB temporary table file (Aria's #sql-temptable-…), in the shared tmpdir.
const probe = join(tmpdir(), `#sql-temptable-mcs-probe-${process.pid}-${randomBytes(4).toString('hex')}.MAI`);
let maria: PrivateMariadb | undefined;

afterAll(async () => {
  await maria?.destroy();
  await rm(probe, { force: true });
});

describe('a private MariaDB for the crash tests', () => {
  it('starts (install and server) without deleting temporary files of the machine’s MariaDB in /tmp', { timeout: 120_000 }, async () => {
    await writeFile(probe, '');
    maria = await startPrivateMariadb();
    await maria.kill9();
    await maria.start();
    await expect(access(probe)).resolves.toBeUndefined();
  });
});
