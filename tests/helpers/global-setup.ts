/**
 * Finds the MariaDB the integration tests use, once per run: the server at MARIADB_URL (default
 * mysql://root@127.0.0.1:3306, the machine's MariaDB 10.11, the major version mailcow ships).
 * Each test file then makes its own database. No registry image can be pulled here, so the suite
 * never starts a database container, even when a Docker engine runs for the container test.
 */
import type { TestProject } from 'vitest/node';
import mysql from 'mysql2/promise';

declare module 'vitest' {
  export interface ProvidedContext {
    mariadbUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const url = process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
  const u = new URL(url);
  u.pathname = '';
  const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password) });
  await conn.query('SELECT 1');
  // Databases left behind by an interrupted earlier run (older than an hour: a run in parallel keeps its own).
  const [rows] = await conn.query<mysql.RowDataPacket[]>(`SHOW DATABASES LIKE 'mcs\\_t\\_%'`);
  const cutoff = Date.now() / 1000 - 3600;
  for (const r of rows) {
    const name = String(Object.values(r)[0]);
    const created = Number(/^mcs_t_(\d+)_/.exec(name)?.[1] ?? 0);
    if (created < cutoff) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  }
  await conn.end();
  project.provide('mariadbUrl', u.toString().replace(/\/$/, ''));
}
