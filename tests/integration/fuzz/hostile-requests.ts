/**
 * Hostile SCIM requests for the HTTP fuzz test: every attribute of User and Group (core,
 * enterprise, mailcow extensions, sub-attributes included, read from the schema data) given
 * every wrong JSON type, huge and empty strings, deep nesting, lone surrogates and prototype
 * keys; random PATCH operations and paths; random filters and query parameters; raw bodies
 * that are not JSON, not UTF-8 or of the wrong media type; random methods on random paths;
 * /Bulk and .search bodies. Deterministic: request `i` of seed `s` is always the same request
 * (mulberry32, the filter fuzzers' PRNG), given the same ids to aim at.
 */
import { makeFilterFuzzer } from '../../unit/scim/fixtures/filter-fuzz.js';
import { mulberry32 } from '../../unit/scim/fixtures/random.js';
import {
  COMMON_ATTRIBUTES,
  GROUP_RESOURCE_TYPE,
  getSchemaDef,
  PATCH_OP_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  USER_RESOURCE_TYPE,
  type AttributeDef,
  type ResourceTypeDef,
} from '../../../server/src/scim/schema/index.js';

export interface HostileRequest {
  /** What kind of request it is, for the tallies and for failure reports. */
  kind: string;
  method: string;
  /** Below the SCIM base path, already percent-encoded as it goes on the wire. */
  path: string;
  /** Raw body bytes or text; absent for none. */
  body?: string | Buffer;
  /** The Content-Type header; null sends an empty one even with a body; absent: application/scim+json. */
  contentType?: string | null;
}

/** Ids the generator aims its requests at (users and groups that exist, or did). */
export interface FuzzTargets {
  users: readonly string[];
  groups: readonly string[];
}

const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** One attribute position in a resource body: where a hostile value is put. */
export interface AttributeSlot {
  /** `userName`, `name.givenName`, `emails.value`, `urn:…:enterprise:2.0:User:manager.value`. */
  path: string;
  /** The extension URN holding it, if any. */
  urn?: string;
  attribute: AttributeDef;
  sub?: AttributeDef;
}

/** Every attribute and sub-attribute of a resource type, core, common and extension ones. */
function attributeSlots(rt: ResourceTypeDef): AttributeSlot[] {
  const out: AttributeSlot[] = [];
  const add = (attrs: readonly AttributeDef[], urn?: string) => {
    for (const attribute of attrs) {
      const prefix = urn ? `${urn}:` : '';
      out.push({ path: prefix + attribute.name, urn, attribute });
      for (const sub of attribute.subAttributes ?? []) out.push({ path: `${prefix}${attribute.name}.${sub.name}`, urn, attribute, sub });
    }
  };
  add([...COMMON_ATTRIBUTES, ...getSchemaDef(rt.schema)!.attributes]);
  for (const ext of rt.schemaExtensions) add(getSchemaDef(ext.schema)!.attributes, ext.schema);
  return out;
}

export const USER_SLOTS = attributeSlots(USER_RESOURCE_TYPE);
export const GROUP_SLOTS = attributeSlots(GROUP_RESOURCE_TYPE);

export function makeHostileRequests(seed: number, targets: () => FuzzTargets): { request(i: number): HostileRequest; sweepLength: number; sweepEnd: number } {
  const random = mulberry32(seed);
  const filters = makeFilterFuzzer(seed ^ 0x5f3759df);
  let filterIndex = 0;
  const int = (n: number): number => Math.floor(random() * n);
  const chance = (p: number): boolean => random() < p;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  // --- values ---------------------------------------------------------------------------------

  const LONE = ['\ud800', '\udfff', '\udbff', 'a\ud83d', '\ude00b'];
  const text = (n: number): string => {
    const unit = pick(['x', 'é', '🙂', 'ß', 'İ', 'a.b', '%_\\', '"\'', ' ', '\u0000', '\u200b', 'Σ']);
    return unit.repeat(Math.ceil(n / unit.length)).slice(0, Math.max(n, 1));
  };
  function nested(depth: number, leaf: unknown): unknown {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = chance(0.5) ? [v] : { [pick(['value', 'a', 'x'])]: v };
    return v;
  }
  function protoObject(): Record<string, unknown> {
    return JSON.parse(pick([
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"constructor":"x"}',
      '{"toString":1,"hasOwnProperty":"x","valueOf":[]}',
      '{"__proto__":null,"value":"x"}',
    ]));
  }
  /** A value of any JSON type, biased towards what breaks type checks and column limits. */
  function hostile(depth = 0): unknown {
    // Below two levels only scalars and fixed shapes, so one value stays small.
    switch (int(depth >= 2 ? 14 : 22)) {
      case 0: return null;
      case 1: return chance(0.5);
      case 2: return pick([0, -1, 1, 2 ** 53, -(2 ** 63), 1.5, -0, 1e308, 1e-308, 123456789012345]);
      case 3: return pick(['', ' ', 'x', 'True', 'false', '1', '-5', '1e3', '0x10', '2011-05-13T04:42:34Z', '2011-02-30T99:99:99Z', 'null', '[]', '{}']);
      case 4: return text(pick([63, 64, 65, 128, 254, 255, 256, 300, 1000, 65_536]));
      case 5: return `+49 1${pick(LONE)}`;
      case 6: return pick(LONE).repeat(1 + int(3));
      case 7: return `${text(1 + int(10))}@${pick(['example.org', 'other.org', 'EXAMPLE.ORG', 'exämple.org', ''])}`;
      case 8: return `${'x'.repeat(pick([64, 65, 200, 250, 300]))}@example.org`;
      case 9: return pick(['\u0000', 'a\u0000b', '\t\n\r', '\u202e', '\ufeff', '\uffff', '\u{10ffff}']);
      case 10: return {};
      case 11: return [];
      case 12: return protoObject();
      case 13: return nested(pick([3, 10, 64, 100, 500]), pick(['x', 1, null, true]));
      case 14: return Array.from({ length: pick([2, 10, 300]) }, () => (chance(0.5) ? hostile(depth + 1) : 'v'));
      case 15: return { value: hostile(depth + 1), type: chance(0.5) ? hostile(depth + 1) : 'work', primary: chance(0.5) ? hostile(depth + 1) : true };
      default: {
        const o: Record<string, unknown> = {};
        for (let k = int(4); k > 0; k--) o[pick(['value', 'Value', 'type', 'primary', 'display', '$ref', 'givenName', 'imap', 'foo', '__proto__', 'constructor', 'x'.repeat(300)])] = hostile(depth + 1);
        return o;
      }
    }
  }
  /** Sometimes a value of the right type, so requests get past the first check. */
  function plausible(def: AttributeDef): unknown {
    switch (def.type) {
      case 'boolean': return chance(0.5);
      case 'integer': return pick([0, 1, 512, 1024, 10 ** 9]);
      case 'decimal': return 1.5;
      case 'dateTime': return '2025-01-31T12:00:00Z';
      case 'complex': {
        const o: Record<string, unknown> = {};
        for (const sub of def.subAttributes ?? []) if (chance(0.5)) o[sub.name] = plausible(sub);
        return def.multiValued ? [o] : o;
      }
      default:
        return def.name === 'value' || def.name === 'userName' ? `${text(1 + int(8))}@example.org` : text(1 + int(20));
    }
  }
  const valueFor = (def: AttributeDef): unknown => (chance(0.75) ? hostile() : plausible(def));

  // --- ids and paths --------------------------------------------------------------------------

  const encode = (s: string): string => {
    try {
      return encodeURIComponent(s);
    } catch {
      // A lone surrogate has no UTF-8 form; send what an IdP with a bad encoder would.
      return s.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
    }
  };
  function idOf(list: readonly string[]): string {
    if (list.length && chance(0.8)) return encode(pick(list));
    return pick(['00000000-0000-0000-0000-000000000000', 'x', encode('a'.repeat(300)), '%E0%A4%A', '%ZZ', '%00', '%ED%A0%80', '..', '%2F', encode(text(20)), '.search', encode('🙂')]);
  }
  const userId = () => idOf(targets().users);
  const groupId = () => idOf(targets().groups);

  // --- bodies ---------------------------------------------------------------------------------

  const core = (rt: ResourceTypeDef) => rt.schema;
  function validUser(): Record<string, unknown> {
    const n = int(1_000_000);
    return { schemas: [core(USER_RESOURCE_TYPE)], userName: `fz${seed.toString(36)}${n}@example.org`, displayName: `Fuzz ${n}`, emails: [{ value: `fz${n}@example.org`, type: 'work', primary: true }] };
  }
  function validGroup(): Record<string, unknown> {
    const t = targets();
    return { schemas: [core(GROUP_RESOURCE_TYPE)], displayName: `Fuzz group ${int(1_000_000)}`, members: t.users.slice(0, int(3)).map((value) => ({ value })) };
  }
  /** `body` with `slot` set to `value` where a client would put it. */
  function place(body: Record<string, unknown>, slot: AttributeSlot, value: unknown): Record<string, unknown> {
    const holder = slot.urn ? ((body[slot.urn] ??= {}) as Record<string, unknown>) : body;
    const name = chance(0.15) ? randomCase(slot.attribute.name) : slot.attribute.name;
    if (!slot.sub) holder[name] = value;
    else if (slot.attribute.multiValued) holder[name] = [{ [slot.sub.name]: value }];
    else holder[name] = { [slot.sub.name]: value };
    if (slot.urn && chance(0.7) && Array.isArray(body.schemas)) body.schemas.push(slot.urn);
    return body;
  }
  const randomCase = (s: string): string => [...s].map((c) => (chance(0.4) ? c.toUpperCase() : c.toLowerCase())).join('');
  function hostileResource(rt: ResourceTypeDef): unknown {
    const slots = rt === USER_RESOURCE_TYPE ? USER_SLOTS : GROUP_SLOTS;
    const body = rt === USER_RESOURCE_TYPE ? validUser() : validGroup();
    const r = random();
    if (r < 0.04) return hostile();
    if (r < 0.1) return Object.assign(body, protoObject());
    if (r < 0.14) return { ...body, schemas: hostile() };
    if (r < 0.18 && rt.schemaExtensions.length) return { ...body, [pick(rt.schemaExtensions).schema]: hostile() };
    for (let k = 1 + (chance(0.2) ? int(4) : 0); k > 0; k--) {
      const slot = pick(slots);
      place(body, slot, valueFor(slot.sub ?? slot.attribute));
    }
    return body;
  }

  const PATH_JUNK = ['', ' ', '[', ']', 'emails[', 'emails]', 'emails[type eq "work"', 'emails[type eq "work"].', 'a.b.c', 'urn:x', 'urn:ietf:params:scim:schemas:core:2.0:User:', '.', '$ref', 'members[value eq "x"]]', 'emails[value eq "\\"]', 'x'.repeat(5000)];
  function patchPath(slots: readonly AttributeSlot[]): unknown {
    const r = random();
    if (r < 0.05) return pick([null, 5, true, [], {}]);
    if (r < 0.15) return pick(PATH_JUNK);
    const slot = pick(slots);
    if (r < 0.35 && slot.attribute.multiValued) {
      const inner = chance(0.5) ? `${pick(['value', 'type', 'primary', 'display', 'foo'])} ${pick(['eq', 'co', 'pr', 'gt', 'xx'])} ${pick(['"work"', '"x"', 'true', '1', '"\\ud800"', ''])}` : filters.candidate(filterIndex++);
      const prefix = slot.urn ? `${slot.urn}:` : '';
      return `${prefix}${slot.attribute.name}[${inner}]${chance(0.5) && slot.sub ? `.${slot.sub.name}` : ''}`;
    }
    return chance(0.1) ? randomCase(slot.path) : slot.path;
  }
  function patchOperation(slots: readonly AttributeSlot[]): unknown {
    if (chance(0.03)) return hostile();
    const op: Record<string, unknown> = { op: pick(['add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove', 'move', 'delete', '', 7, null]) };
    if (chance(0.85)) op[pick(['path', 'Path'])] = patchPath(slots);
    if (chance(0.85)) {
      const slot = pick(slots);
      op[pick(['value', 'Value'])] = chance(0.2) ? place({ schemas: [] }, slot, valueFor(slot.sub ?? slot.attribute)) : chance(0.5) ? hostile() : plausible(slot.sub ?? slot.attribute);
    }
    if (chance(0.05)) Object.assign(op, protoObject());
    return op;
  }
  function patchBody(slots: readonly AttributeSlot[]): unknown {
    const r = random();
    if (r < 0.04) return hostile();
    if (r < 0.08) return { schemas: hostile(), Operations: [patchOperation(slots)] };
    if (r < 0.12) return { schemas: [PATCH_OP_SCHEMA], Operations: hostile() };
    if (r < 0.13) return { schemas: [PATCH_OP_SCHEMA], Operations: Array.from({ length: 1001 }, () => ({ op: 'add', path: 'nickName', value: 'x' })) };
    const body: Record<string, unknown> = { schemas: [PATCH_OP_SCHEMA], [chance(0.1) ? 'operations' : 'Operations']: Array.from({ length: 1 + int(4) }, () => patchOperation(slots)) };
    if (chance(0.05)) Object.assign(body, protoObject());
    return body;
  }

  // --- query parameters -----------------------------------------------------------------------

  const NUMBERS = ['-1', '0', '1', '2', '10', '500', '501', '99999999999', '999999999999999999999', '1e3', '1.5', ' 5', 'abc', '', '０', '0x10', '+3', '-0'];
  function attributeList(slots: readonly AttributeSlot[]): string {
    return Array.from({ length: 1 + int(4) }, () => (chance(0.8) ? pick(slots).path : pick(PATH_JUNK))).join(pick([',', ', ', ',,']));
  }
  function query(slots: readonly AttributeSlot[]): string {
    const parts: string[] = [];
    const add = (k: string, v: string) => parts.push(`${k}=${chance(0.05) ? v : encode(v)}`);
    if (chance(0.7)) add('filter', chance(0.8) ? filters.candidate(filterIndex++) : text(pick([10, 5000])));
    if (chance(0.4)) add('count', pick(NUMBERS));
    if (chance(0.4)) add('startIndex', pick(NUMBERS));
    if (chance(0.3)) add('sortBy', chance(0.8) ? pick(slots).path : pick(PATH_JUNK));
    if (chance(0.2)) add('sortOrder', pick(['ascending', 'DESCENDING', 'up', '', '1']));
    if (chance(0.3)) add(chance(0.5) ? 'attributes' : 'excludedAttributes', attributeList(slots));
    if (chance(0.2)) add('cursor', pick(['', 'abc', 'x'.repeat(2000), 'eyJ9', '%%', '\ud800', Buffer.from(text(40)).toString('base64url')]));
    // Repeated parameters arrive as arrays; nonsense parameters and encodings must be refused or ignored.
    if (chance(0.15)) { const k = pick(['filter', 'count', 'startIndex', 'attributes', 'excludedAttributes', 'sortBy', 'sortOrder', 'cursor']); add(k, '1'); add(k, 'userName pr'); }
    if (chance(0.1)) parts.push(pick(['%E0%A4%A=1', 'x=%ZZ', '__proto__=1', 'constructor=x', 'filter', 'count', '=', '&&', `${text(300)}=1`, 'attributes[]=userName', 'filter[x]=1']));
    return parts.length ? `?${parts.join('&')}` : '';
  }
  function searchBody(slots: readonly AttributeSlot[]): unknown {
    if (chance(0.05)) return hostile();
    const b: Record<string, unknown> = { schemas: chance(0.9) ? [SEARCH_REQUEST_SCHEMA] : hostile() };
    if (chance(0.7)) b.filter = chance(0.7) ? filters.candidate(filterIndex++) : hostile();
    if (chance(0.4)) b.count = chance(0.5) ? hostile() : Number(pick(NUMBERS)) || pick(NUMBERS);
    if (chance(0.4)) b.startIndex = chance(0.5) ? hostile() : pick(NUMBERS);
    if (chance(0.3)) b.sortBy = chance(0.6) ? pick(slots).path : hostile();
    if (chance(0.2)) b.sortOrder = chance(0.5) ? 'descending' : hostile();
    if (chance(0.3)) b[chance(0.5) ? 'attributes' : 'excludedAttributes'] = chance(0.5) ? attributeList(slots).split(',') : hostile();
    if (chance(0.15)) b.cursor = hostile();
    return b;
  }
  function bulkBody(): unknown {
    if (chance(0.05)) return hostile();
    const ops = Array.from({ length: 1 + int(5) }, () => {
      if (chance(0.05)) return hostile();
      const users = chance(0.6);
      const method = pick(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'post', 'x', 5]);
      const slots = users ? USER_SLOTS : GROUP_SLOTS;
      const rt = users ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE;
      const id = users ? userId() : groupId();
      const path = chance(0.85) ? (method === 'POST' ? (users ? '/Users' : '/Groups') : `/${users ? 'Users' : 'Groups'}/${decodeSafe(id)}`) : hostile();
      const op: Record<string, unknown> = { method, path };
      if (chance(0.5)) op.bulkId = chance(0.8) ? `b${int(5)}` : hostile();
      if (chance(0.2)) op.version = hostile();
      if (method === 'PATCH') op.data = patchBody(slots);
      else if (method !== 'DELETE' || chance(0.2)) op.data = hostileResource(rt);
      if (chance(0.1) && typeof op.data === 'object' && op.data !== null && !Array.isArray(op.data)) (op.data as Record<string, unknown>).members = [{ value: `bulkId:b${int(5)}` }];
      return op;
    });
    return { schemas: chance(0.95) ? [BULK_REQUEST_SCHEMA] : hostile(), failOnErrors: chance(0.8) ? int(3) : hostile(), Operations: ops };
  }
  const decodeSafe = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };

  // --- raw bodies -------------------------------------------------------------------------------

  function json(value: unknown): string {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  function rawBody(valid: unknown): { body: string | Buffer; contentType?: string | null } {
    const text = json(valid);
    switch (int(12)) {
      case 0: return { body: text.slice(0, int(text.length)) };
      case 1: return { body: Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from(pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82]])), Buffer.from(text.slice(-2))]) };
      case 2: return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) };
      case 3: return { body: text.replace(/"userName"|"displayName"/, (k) => `${k}:"dup",${k}`) };
      case 4: return { body: `${'['.repeat(pick([1000, 100_000]))}${']'.repeat(pick([1000, 100_000]))}` };
      case 5: return { body: `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}` };
      case 6: return { body: text, contentType: pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '', 'application/scim+json; charset=latin1', 'application/json; charset=utf-16', 'application/json;;', '*/*', 'application/scim+jsonx']) };
      case 7: return { body: text, contentType: null };
      case 8: return { body: '' };
      case 9: return { body: pick(['null', '1', '"x"', '[]', 'true', ' ', '\u0000', 'NaN', '{"a":1}garbage', '{"a":01}', '{"a":1e99999}', '{"a":"\\x"}', "{'a':1}"]) };
      case 10: return { body: text.replace(/"(\w+)":/, (_m, k) => `"${k}\\u0000":`) };
      default: return { body: text.replace(/"[^"]*"\s*:\s*"[^"]*"/, (m) => m.replace(/"$/, '\\ud800"')) };
    }
  }

  // --- the sweep: every attribute, every kind of wrong value ------------------------------------

  const WRONG: readonly (() => unknown)[] = [
    () => null, () => true, () => -1.5, () => 1e308, () => '', () => 'not a number, date or boolean',
    () => 'x'.repeat(256), () => '🙂'.repeat(300), () => 'y'.repeat(100_000), () => '+49 1\ud800', () => '\udfff',
    () => ({}), () => protoObject(), () => [[1]], () => nested(20, 'x'), () => [null, 'x', 1, {}, []],
  ];
  const SWEEP = [...USER_SLOTS.map((slot) => ({ slot, users: true })), ...GROUP_SLOTS.map((slot) => ({ slot, users: false }))].flatMap((s) => WRONG.map((wrong) => ({ ...s, wrong })));

  /** Request i of the sweep: slot × wrong value, as a POST, a PUT or a PATCH in turn. */
  function sweepRequest(i: number): HostileRequest {
    const { slot, users, wrong } = SWEEP[i]!;
    const value = wrong();
    const endpoint = users ? 'Users' : 'Groups';
    const id = users ? userId() : groupId();
    switch (i % 3) {
      case 0:
        return withBody(`sweep POST /${endpoint}`, 'POST', `/${endpoint}`, place(users ? validUser() : validGroup(), slot, value));
      case 1:
        return withBody(`sweep PUT /${endpoint}/{id}`, 'PUT', `/${endpoint}/${id}`, place(users ? validUser() : validGroup(), slot, value));
      default:
        return withBody(`sweep PATCH /${endpoint}/{id}`, 'PATCH', `/${endpoint}/${id}`, { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: pick(['add', 'replace']), path: slot.path, value }] });
    }
  }

  // --- requests -------------------------------------------------------------------------------

  const withBody = (kind: string, method: string, path: string, value: unknown): HostileRequest => ({ kind, method, path, body: json(value) });

  /**
   * Request i: the sweep on the even numbers up to twice its length, random requests of every
   * kind on the others and after it, so a busy machine that takes long over the sweep still
   * sends as many random requests.
   */
  function request(i: number): HostileRequest {
    if (i % 2 === 0 && i < 2 * SWEEP.length) return sweepRequest(i / 2);
    const r = random();
    if (r < 0.14) return withBody('POST /Users', 'POST', '/Users', hostileResource(USER_RESOURCE_TYPE));
    if (r < 0.22) return withBody('PUT /Users/{id}', 'PUT', `/Users/${userId()}`, hostileResource(USER_RESOURCE_TYPE));
    if (r < 0.36) return withBody('PATCH /Users/{id}', 'PATCH', `/Users/${userId()}`, patchBody(USER_SLOTS));
    if (r < 0.43) return withBody('POST /Groups', 'POST', '/Groups', hostileResource(GROUP_RESOURCE_TYPE));
    if (r < 0.47) return withBody('PUT /Groups/{id}', 'PUT', `/Groups/${groupId()}`, hostileResource(GROUP_RESOURCE_TYPE));
    if (r < 0.55) return withBody('PATCH /Groups/{id}', 'PATCH', `/Groups/${groupId()}`, patchBody(GROUP_SLOTS));
    if (r < 0.66) {
      const users = chance(0.7);
      return { kind: 'GET list', method: 'GET', path: `/${users ? 'Users' : 'Groups'}${query(users ? USER_SLOTS : GROUP_SLOTS)}` };
    }
    if (r < 0.72) {
      const where = pick(['/Users/.search', '/Groups/.search', '/.search']);
      return withBody('POST .search', 'POST', where, searchBody(where.startsWith('/Groups') ? GROUP_SLOTS : USER_SLOTS));
    }
    if (r < 0.76) {
      const users = chance(0.6);
      return { kind: 'GET /{id}', method: 'GET', path: `/${users ? 'Users' : 'Groups'}/${users ? userId() : groupId()}${chance(0.3) ? query(users ? USER_SLOTS : GROUP_SLOTS) : ''}` };
    }
    if (r < 0.8) return withBody('POST /Bulk', 'POST', '/Bulk', bulkBody());
    if (r < 0.9) {
      const pickTarget = int(4);
      const [method, path, valid] =
        pickTarget === 0 ? ['POST', '/Users', validUser()] : pickTarget === 1 ? ['PATCH', `/Users/${userId()}`, patchBody(USER_SLOTS)] : pickTarget === 2 ? ['POST', '/Groups', validGroup()] : ['POST', '/Bulk', bulkBody()];
      return { kind: `raw body ${method}`, method, path, ...rawBody(valid) };
    }
    if (r < 0.97) {
      const method = pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get']);
      const path = pick([
        '/Users', `/Users/${userId()}`, `/Users/${userId()}/x`, '/Groups', `/Groups/${groupId()}`, '/Bulk', '/.search', '/Users/.search',
        '/ServiceProviderConfig', '/Schemas', `/Schemas/${encode(pick(USER_SLOTS).path)}`, '/ResourceTypes', '/ResourceTypes/User', '/ResourceTypes/%E0%A4%A',
        '/Users/%E0%A4%A', '/%ZZ', '/Users?filter=%E0%A4%A', '/users', '/USERS/', '//Users', '/Users/../Groups', '/x'.repeat(200), `/Schemas/${'%ED%A0%80'}`,
      ]);
      const body = ['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(method) && chance(0.7) ? undefined : json(chance(0.5) ? validUser() : hostile());
      return { kind: 'method/path', method, path, ...(body === undefined ? {} : { body }) };
    }
    // Deleting users and groups the other requests aim at: they then answer 404.
    return chance(0.7) ? { kind: 'DELETE /Users/{id}', method: 'DELETE', path: `/Users/${userId()}` } : { kind: 'DELETE /Groups/{id}', method: 'DELETE', path: `/Groups/${groupId()}` };
  }

  return { request, sweepLength: SWEEP.length, sweepEnd: 2 * SWEEP.length };
}
