/**
 * Timestamps in our own tables are UTC DATETIME(3), written from JavaScript; the API
 * speaks RFC 3339. (mailcow's own columns hold server-local time from NOW() and are never
 * converted here.)
 */

/** '2026-11-28T10:00:00.123Z' → '2026-11-28 10:00:00.123' */
export function toDbTime(iso: string): string {
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/** '2026-11-28 10:00:00.123' → '2026-11-28T10:00:00.123Z' */
export function fromDbTime(db: string | null | undefined): string | null {
  if (!db) return null;
  const [date, time = '00:00:00'] = db.split(' ');
  const withMs = time.includes('.') ? time : `${time}.000`;
  return `${date}T${withMs.slice(0, 12)}Z`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
