/**
 * An IdP's initial sync as the crash tests drive it: POST /Users for a set of people, a fixed
 * number in flight, every answer (or transport error) counted. The retry after a crash is the
 * same set sent again, as an IdP's next cycle does: 201 for what was lost, 409 for what exists.
 */
import { scimClient } from '../../helpers/http.js';
import { CORE_USER } from '../../helpers/process-fixture.js';

export interface SyncResult {
  /** Answers by status; 0 counts transport errors (the process was killed, the socket reset). */
  statuses: Map<number, number>;
  /** Answers that were retried (retryWhile), by status. */
  retried: Map<number, number>;
  ms: number;
}

export const people = (domain: string, n: number) => Array.from({ length: n }, (_, i) => `person${String(i).padStart(4, '0')}@${domain}`);

export async function syncUsers(
  baseUrl: string,
  token: string,
  userNames: readonly string[],
  options: { concurrency: number; onAnswer?: (status: number, done: number) => void; retryWhile?: (status: number) => boolean },
): Promise<SyncResult> {
  const api = scimClient(baseUrl, token);
  const statuses = new Map<number, number>();
  const retried = new Map<number, number>();
  const started = Date.now();
  let next = 0;
  let done = 0;
  const one = async (userName: string): Promise<number> => {
    for (;;) {
      const status = await api.post('/Users', { schemas: [CORE_USER], userName, name: { givenName: 'P', familyName: userName.split('@')[0] } }).then(
        (r) => r.status,
        () => 0,
      );
      if (!options.retryWhile?.(status)) return status;
      retried.set(status, (retried.get(status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const lane = async () => {
    while (next < userNames.length) {
      const status = await one(userNames[next++]!);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      options.onAnswer?.(status, ++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { statuses, retried, ms: Date.now() - started };
}

export const count = (r: SyncResult, status: number) => r.statuses.get(status) ?? 0;
