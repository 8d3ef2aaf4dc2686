/**
 * Replays folders of a Postman collection with newman's library API (the same engine as
 * `newman run --folder …`) and returns one record per request with its status and the outcome of
 * every expectation its test script made. The collection file is read as it is, never edited.
 */
import { createRequire } from 'node:module';

/** One expectation of the collection: a `pm.test` (or an error thrown by the test script). */
interface CollectionExpectation {
  /** `<folder> › <request>[ (#n)] › <pm.test name>`, stable across runs; `#n` for repeated names. */
  key: string;
  passed: boolean;
  /** The assertion's failure message, when it failed. */
  message?: string;
}

export interface CollectionExecution {
  folder: string;
  request: string;
  method: string;
  url: string;
  /** HTTP status, or 0 when the request never got an answer. */
  status: number;
  body: string;
  expectations: CollectionExpectation[];
}

export interface CollectionRunOptions {
  /** Path to the collection JSON. */
  collection: string;
  /** Folder (or top-level request) names, run one after the other in this order. */
  folders: string[];
  /** Environment variables the collection reads (`{{Server}}`, `{{token}}` …). */
  environment: Record<string, string>;
  timeoutMs?: number;
}

interface NewmanEmitter {
  on(event: string, listener: (err: Error | null, o: Record<string, unknown>) => void): NewmanEmitter;
}
interface NewmanSummary {
  environment: { toJSON(): unknown };
}
type NewmanRun = (options: Record<string, unknown>, done: (err: Error | null, summary: NewmanSummary) => void) => NewmanEmitter;

// newman ships CommonJS without type declarations; this is the one call we make into it.
const require = createRequire(import.meta.url);
const newmanRun = (require('newman') as { run: NewmanRun }).run;

interface PostmanItemGroup {
  name?: string;
  parent(): PostmanItemGroup | undefined;
}
interface PostmanItem {
  name: string;
  parent(): PostmanItemGroup | undefined;
}

/**
 * Runs each folder in turn, carrying the environment from one run to the next (ids the collection
 * stores with `pm.environment.set` stay visible to later folders). One folder per newman run
 * because newman's multi-folder lookup matches a name inside an already selected folder first:
 * the collection has a nested and a top-level request both called "Get all users".
 */
export async function runCollectionFolders(options: CollectionRunOptions): Promise<CollectionExecution[]> {
  let environment: unknown = {
    name: 'conformance',
    values: Object.entries(options.environment).map(([key, value]) => ({ key, value, type: 'default', enabled: true })),
  };
  const executions: (CollectionExecution & { prefix: string })[] = [];
  const seen = new Map<string, number>();
  for (const folder of options.folders) {
    environment = await new Promise<unknown>((resolve, reject) => {
      const byCursor = new Map<string, CollectionExecution & { prefix: string }>();
      const executionOf = (o: Record<string, unknown>) => byCursor.get(String((o.cursor as { ref?: string } | undefined)?.ref));
      newmanRun(
        { collection: options.collection, folder, environment, reporters: [], timeoutRequest: options.timeoutMs ?? 30_000 },
        (err, summary) => (err ? reject(err) : resolve(summary.environment.toJSON())),
      )
        .on('beforeItem', (_err, o) => {
          const item = o.item as PostmanItem;
          const parent = item.parent();
          // A top-level request's parent is the collection itself, which has no parent.
          const folderName = parent?.parent() ? (parent.name ?? '') : '(top level)';
          const base = `${folderName} › ${item.name}`;
          const n = (seen.get(base) ?? 0) + 1;
          seen.set(base, n);
          const prefix = n > 1 ? `${base} (#${n})` : base;
          const execution = { folder: folderName, request: item.name, method: '', url: '', status: 0, body: '', expectations: [], prefix };
          byCursor.set(String((o.cursor as { ref: string }).ref), execution);
          executions.push(execution);
        })
        .on('request', (_err, o) => {
          const e = executionOf(o);
          if (!e) return;
          const request = o.request as { method: string; url: { toString(): string } };
          const response = o.response as { code: number; stream?: Buffer } | undefined;
          e.method = request.method;
          e.url = request.url.toString();
          e.status = response?.code ?? 0;
          e.body = response?.stream ? response.stream.toString('utf8') : '';
        })
        .on('assertion', (err, o) => {
          const e = executionOf(o);
          if (!e) return;
          e.expectations.push({ key: `${e.prefix} › ${String(o.assertion)}`, passed: !err, ...(err ? { message: err.message } : {}) });
        })
        .on('script', (err, o) => {
          const e = executionOf(o);
          // A test script that throws (e.g. pm.response.json() on an empty body) is a failed expectation too.
          if (e && err && (o.event as { listen?: string } | undefined)?.listen === 'test') {
            e.expectations.push({ key: `${e.prefix} › (test script error)`, passed: false, message: err.message });
          }
        });
    });
  }
  return executions.map(({ prefix: _prefix, ...e }) => e);
}
