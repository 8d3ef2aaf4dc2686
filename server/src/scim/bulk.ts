/**
 * /Bulk (RFC 7644 §3.7): a BulkRequest checked once, its operations run one by one through an
 * executor the caller supplies (each operation is its own change, its own transaction), bulkId
 * references resolved, failOnErrors honoured, and the BulkResponse built. Pure protocol: it
 * knows no HTTP and no storage.
 *
 * Choices where the RFC leaves room:
 * - `bulkId:<id>` references may point forwards: an operation waits until the operation that
 *   creates its reference has run (§3.7.1 "MUST try to resolve"); references that can never
 *   resolve because they are circular answer 409 (§3.7.1 allows it), and so does an operation
 *   whose referenced POST failed (there is no resource to refer to);
 * - a reference to a bulkId no operation declares is that operation's 400 invalidValue;
 * - results come back in request order, for the operations that ran;
 * - `failOnErrors` 0 or absent means "no limit"; once that many operations failed, the rest
 *   are not run (§3.7.3) and the answer lists what ran;
 * - a bulkId on a POST is optional (the RFC says REQUIRED, but nothing can refer to a POST
 *   without one, so refusing it would help nobody); duplicate bulkIds are refused as a whole.
 */
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, findKey, getIgnoringCase, isJsonObject } from './schema/index.js';
import { ScimError, toScimErrorBody } from './scim-error.js';

type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface BulkOperation {
  method: BulkMethod;
  bulkId?: string;
  /** An ETag for If-Match (PUT, PATCH, DELETE). */
  version?: string;
  path: string;
  data?: unknown;
}

export interface BulkRequest {
  /** 0: no limit. */
  failOnErrors: number;
  operations: BulkOperation[];
}

/** One operation, references resolved, ready for the executor. */
export interface BulkCall {
  method: BulkMethod;
  /** `Users` or `Groups`, canonical case. */
  endpoint: 'Users' | 'Groups';
  /** The resource id (all methods but POST). */
  id?: string;
  data?: unknown;
  version?: string;
}

/** What the executor reports for a successful operation. */
export interface BulkCallResult {
  status: number;
  /** The resource's id (POST: the new one). */
  id: string;
  location?: string;
  version?: string;
}

export type BulkExecutor = (call: BulkCall) => Promise<BulkCallResult>;

interface BulkOperationResponse {
  method: BulkMethod;
  bulkId?: string;
  version?: string;
  location?: string;
  /** The HTTP status as a string, as the RFC's examples write it. */
  status: string;
  /** The error body when the operation failed (RFC 7644 §3.7.3 requires it for non-2xx). */
  response?: Record<string, unknown>;
}

export interface BulkResponse {
  schemas: string[];
  Operations: BulkOperationResponse[];
}

const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];
const BULK_ID_RE = /^bulkId:(.+)$/;
const MAX_BULK_ID = 200;

/** A client's path as an error detail quotes it (a path may be as long as the body). */
function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Checks a BulkRequest body. Whole-request problems are ScimErrors (400 invalidSyntax /
 * invalidValue; more operations than `maxOperations` is 413, RFC 7644 §3.7.4). Problems of a
 * single operation (unknown method, missing path) are left for `runBulk` to answer per operation.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): BulkRequest {
  if (!isJsonObject(body)) throw ScimError.invalidSyntax('A /Bulk body must be a JSON object (a BulkRequest message).');
  const schemas = getIgnoringCase(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw ScimError.invalidSyntax(`A /Bulk body must list "${BULK_REQUEST_SCHEMA}" in "schemas".`);
  }
  const opsKey = findKey(body, 'Operations');
  const ops = opsKey === undefined ? undefined : body[opsKey];
  if (!Array.isArray(ops)) throw ScimError.invalidSyntax('A /Bulk body must have an "Operations" array.');
  if (ops.length > maxOperations) {
    throw ScimError.payloadTooLarge(`A /Bulk request may carry at most ${maxOperations} operations (maxOperations); this one has ${ops.length}.`);
  }
  const rawFail = getIgnoringCase(body, 'failOnErrors');
  let failOnErrors = 0;
  if (rawFail !== undefined && rawFail !== null) {
    const n = typeof rawFail === 'string' && /^\d{1,9}$/.test(rawFail.trim()) ? Number(rawFail) : rawFail;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw ScimError.invalidValue('"failOnErrors" must be a non-negative integer.');
    failOnErrors = n;
  }
  const seen = new Set<string>();
  const operations = ops.map((op, i): BulkOperation => {
    if (!isJsonObject(op)) throw ScimError.invalidSyntax(`Operations[${i}] must be an object.`);
    const method = String(getIgnoringCase(op, 'method') ?? '').toUpperCase() as BulkMethod;
    const bulkId = getIgnoringCase(op, 'bulkId');
    if (bulkId !== undefined && bulkId !== null) {
      if (typeof bulkId !== 'string' || bulkId === '' || bulkId.length > MAX_BULK_ID) throw ScimError.invalidValue(`Operations[${i}].bulkId must be a non-empty string of at most ${MAX_BULK_ID} characters.`);
      if (seen.has(bulkId)) throw ScimError.invalidValue(`bulkId "${bulkId}" is used by more than one operation.`);
      seen.add(bulkId);
    }
    const version = getIgnoringCase(op, 'version');
    const path = getIgnoringCase(op, 'path');
    const out: BulkOperation = { method, path: typeof path === 'string' ? path : '' };
    if (typeof bulkId === 'string') out.bulkId = bulkId;
    if (typeof version === 'string' && version !== '') out.version = version;
    const dataKey = findKey(op, 'data');
    if (dataKey !== undefined) out.data = op[dataKey];
    return out;
  });
  return { failOnErrors, operations };
}

/** Every `bulkId:<id>` an operation refers to, in its path and anywhere in its data. */
function referencesOf(op: BulkOperation): Set<string> {
  const refs = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === 'string') {
      const m = BULK_ID_RE.exec(v);
      if (m) refs.add(m[1]!);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else if (isJsonObject(v)) Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  for (const segment of op.path.split('/')) visit(segment, 0);
  visit(op.data, 0);
  return refs;
}

function substitute(v: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof v === 'string') {
    const m = BULK_ID_RE.exec(v);
    return m && ids.has(m[1]!) ? ids.get(m[1]!) : v;
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, ids));
  if (isJsonObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, ids)]));
  return v;
}

/** `/Users`, `Groups/<id>`… → endpoint and id; an invalidValue error for anything else. */
function parsePath(op: BulkOperation, ids: ReadonlyMap<string, string>): { endpoint: 'Users' | 'Groups'; id?: string } {
  const segments = op.path.replace(/^\/+|\/+$/g, '').split('/');
  const endpoint = segments[0]?.toLowerCase() === 'users' ? 'Users' : segments[0]?.toLowerCase() === 'groups' ? 'Groups' : undefined;
  if (!endpoint || segments.length > 2) throw ScimError.invalidValue(`"path" must be /Users or /Groups, optionally followed by an id; got "${clip(op.path)}".`);
  let raw: string | undefined;
  try {
    raw = segments[1] ? decodeURIComponent(segments[1]) : undefined;
  } catch {
    throw ScimError.invalidValue(`"path" is not a valid URL path: "${clip(op.path)}".`);
  }
  const id = raw === undefined ? undefined : (substitute(raw, ids) as string);
  if (op.method === 'POST' && id !== undefined) throw ScimError.invalidValue(`A POST goes to the resource type's endpoint (/${endpoint}), not to "${clip(op.path)}".`);
  if (op.method !== 'POST' && id === undefined) throw ScimError.invalidValue(`A ${op.method} needs the resource's path (/${endpoint}/<id>).`);
  return id === undefined ? { endpoint } : { endpoint, id };
}

function failure(op: BulkOperation, error: ScimError): BulkOperationResponse {
  const out: BulkOperationResponse = { method: op.method, status: String(error.status), response: toScimErrorBody(error) };
  if (op.bulkId !== undefined) out.bulkId = op.bulkId;
  return out;
}

/**
 * Runs the operations of `request` through `execute`, one at a time, and builds the
 * BulkResponse. Never throws for an operation's failure: each has its own status.
 */
export async function runBulk(request: BulkRequest, execute: BulkExecutor): Promise<BulkResponse> {
  const ops = request.operations;
  const declared = new Map<string, number>();
  ops.forEach((op, i) => {
    if (op.bulkId !== undefined && op.method === 'POST') declared.set(op.bulkId, i);
  });
  const refs = ops.map(referencesOf);
  const results = new Map<number, BulkOperationResponse>();
  /** bulkId → the id of the resource its POST created. */
  const created = new Map<string, string>();
  const failedBulkIds = new Set<string>();
  let errors = 0;
  let pending = ops.map((_, i) => i);

  const record = (i: number, result: BulkOperationResponse) => {
    results.set(i, result);
    if (Number(result.status) >= 400) {
      errors++;
      if (ops[i]!.bulkId !== undefined) failedBulkIds.add(ops[i]!.bulkId!);
    }
  };
  const stopped = () => request.failOnErrors > 0 && errors >= request.failOnErrors;

  while (pending.length && !stopped()) {
    const waiting: number[] = [];
    let progressed = false;
    for (const i of pending) {
      if (stopped()) break;
      const op = ops[i]!;
      const undeclared = [...refs[i]!].filter((r) => !declared.has(r));
      const failedRef = [...refs[i]!].find((r) => failedBulkIds.has(r));
      if (!METHODS.includes(op.method)) {
        record(i, failure(op, ScimError.invalidValue(`"method" must be POST, PUT, PATCH or DELETE; got "${op.method}".`)));
      } else if (undeclared.length) {
        record(i, failure(op, ScimError.invalidValue(`bulkId ${undeclared.map((r) => `"${r}"`).join(', ')} is not the bulkId of a POST in this request.`)));
      } else if (failedRef !== undefined) {
        record(i, failure(op, ScimError.conflict(`The operation with bulkId "${failedRef}" failed, so "bulkId:${failedRef}" cannot be resolved.`)));
      } else if ([...refs[i]!].some((r) => !created.has(r))) {
        waiting.push(i);
        continue;
      } else {
        const { response, id } = await runOne(op, created, execute);
        record(i, response);
        if (op.method === 'POST' && op.bulkId !== undefined && id !== undefined) created.set(op.bulkId, id);
      }
      progressed = true;
    }
    pending = waiting;
    if (!progressed) {
      // Only references among the waiting operations are left: a cycle (RFC 7644 §3.7.1).
      for (const i of pending) {
        if (stopped()) break;
        record(i, failure(ops[i]!, ScimError.conflict(`Circular bulkId references (${[...refs[i]!].map((r) => `"${r}"`).join(', ')}) cannot be resolved.`)));
      }
      pending = [];
    }
  }

  const out: BulkOperationResponse[] = [];
  for (let i = 0; i < ops.length; i++) {
    const r = results.get(i);
    if (r) out.push(r);
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: out };
}

/** One operation through the executor; `id` is set when it succeeded. */
async function runOne(op: BulkOperation, created: ReadonlyMap<string, string>, execute: BulkExecutor): Promise<{ response: BulkOperationResponse; id?: string }> {
  try {
    const target = parsePath(op, created);
    const call: BulkCall = { method: op.method, endpoint: target.endpoint };
    if (target.id !== undefined) call.id = target.id;
    if (op.method !== 'DELETE') {
      if (op.data === undefined || op.data === null) throw ScimError.invalidSyntax(`A ${op.method} operation needs "data".`);
      call.data = substitute(op.data, created);
    }
    if (op.version !== undefined) call.version = op.version;
    const r = await execute(call);
    const out: BulkOperationResponse = { method: op.method, status: String(r.status) };
    if (op.bulkId !== undefined) out.bulkId = op.bulkId;
    if (r.location !== undefined) out.location = r.location;
    if (r.version !== undefined) out.version = r.version;
    return { response: out, id: r.id };
  } catch (e) {
    return { response: failure(op, ScimError.from(e)) };
  }
}
