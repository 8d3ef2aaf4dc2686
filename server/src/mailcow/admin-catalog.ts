/**
 * mailcow objects a token policy can name, read for the admin page's choices: mailbox
 * templates (`templates` rows of type 'mailbox', what `mailbox('get','mailbox_templates')`
 * lists) and domains (docs/mailcow-facts.md §1.3). Read-only.
 */
import type { RowDataPacket } from 'mysql2';
import { listAuditEvents, type EventQuery } from './event-history.js';
import { readIdentityProvider } from './identity-provider.js';
import { countScimMailboxes } from './login-facts.js';
import type { Queryable } from './queryable.js';
import { translateSqlError } from './sql-errors.js';

export interface TemplateChoice {
  id: number;
  name: string;
}

export interface DomainChoice {
  name: string;
  active: boolean;
}

async function listMailboxTemplateChoices(db: Queryable): Promise<TemplateChoice[]> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT id, template FROM templates WHERE type = 'mailbox' ORDER BY id`);
  return rows.map((r) => ({ id: Number(r.id), name: String(r.template) }));
}

async function listDomainChoices(db: Queryable): Promise<DomainChoice[]> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT domain, active FROM domain ORDER BY domain');
  return rows.map((r) => ({ name: String(r.domain), active: Number(r.active) === 1 }));
}

/** The reads the admin page needs, over the pool, with driver errors translated once. */
export function createAdminReads(db: Queryable) {
  const guard = <T>(p: Promise<T>): Promise<T> => p.catch((e: unknown) => Promise.reject(translateSqlError(e)));
  return {
    identityProvider: () => guard(readIdentityProvider(db)),
    countScimMailboxes: () => guard(countScimMailboxes(db)),
    listEvents: (q: EventQuery) => guard(listAuditEvents(db, q)),
    listMailboxTemplates: () => guard(listMailboxTemplateChoices(db)),
    listDomains: () => guard(listDomainChoices(db)),
  };
}
