/**
 * Filters in SQL agree with filters in memory (issue 4, "Done when"): every filter below runs
 * against MariaDB through GET /Users (and a share of them through POST /Users/.search), and
 * the same filter is evaluated by `evaluateFilter` on the resources exactly as GET returns
 * them. Both must select the same users, or fail with the same 400 invalidFilter.
 *
 * The table is generated: every operator on every attribute type (strings in columns and in
 * the JSON, case-exact and not, references, binary, booleans, integers, dateTimes, complex and
 * multi-valued attributes, derived ones), with operands taken from the data in other cases,
 * accents, trailing spaces and LIKE wildcards; then hand-written filters for precedence, `not`,
 * value filters, URN-qualified and PascalCase names, nulls and multi-valued `ne`.
 */
import { describe, expect, it } from 'vitest';
import { checkFilter, parseFilter, type CheckedAttribute } from '../../../server/src/scim/filter/index.js';
import { USER_RESOURCE_TYPE } from '../../../server/src/scim/schema/index.js';
import { filterInMemory, filterOverHttp, type Outcome } from '../../helpers/filter-agreement.js';
import { ENT, MC, usePopulation, type Population } from './population.js';

const ctx = usePopulation();

const q = (s: string) => JSON.stringify(s);

/** Every value (strings only) an attribute path has across the resources, via the checked attribute. */
function valuesOf(path: string): string[] {
  const a: CheckedAttribute = (checkFilter(parseFilter(`${path} pr`), USER_RESOURCE_TYPE) as { attribute: CheckedAttribute }).attribute;
  const out = new Set<string>();
  for (const r of ctx.users) {
    const container = a.extension ? (r[a.schemaUrn] as Record<string, unknown> | undefined) : r;
    const top = container?.[a.attribute];
    for (const holder of Array.isArray(top) ? top : top === undefined ? [] : [top]) {
      const v = a.sub === undefined ? holder : (holder as Record<string, unknown>)?.[a.sub];
      if (typeof v === 'string') out.add(v);
    }
  }
  return [...out].sort();
}

const STRING_ATTRIBUTES = [
  'userName', 'externalId', 'displayName', 'id', 'nickName', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone',
  'profileUrl', 'name.givenName', 'name.familyName', 'name.middleName', 'name.formatted', 'name.honorificPrefix',
  'emails.value', 'emails.type', 'emails.display', 'emails', 'phoneNumbers.value', 'phoneNumbers.type', 'ims.value', 'photos.value',
  'addresses.locality', 'addresses.country', 'addresses.formatted', 'entitlements.value', 'roles.value', 'x509Certificates.value',
  'schemas', 'meta.version', 'meta.resourceType', 'meta.location', 'groups.value', 'groups.display',
  `${ENT}:department`, `${ENT}:employeeNumber`, `${ENT}:costCenter`, `${ENT}:organization`, `${ENT}:division`,
  `${ENT}:manager.value`, `${ENT}:manager.displayName`, `${MC}:tags`, `${MC}:mailboxAddress`,
];
const STRING_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
/** Operands every string attribute is tried with: empty, wildcards, escapes, accents, spaces, astral plane. */
const GENERIC_STRINGS = ['', 'e', 'E', '%', '_', '\\', 'é', ' ', 'zzzz', '🙂', 'ｆ'];

/** Variants of a value from the data: other case, a middle part, a prefix, an accent stripped, a trailing space. */
function variants(v: string): string[] {
  const out = [v, v.toUpperCase(), v.toLowerCase(), `${v} `, v.normalize('NFD').replace(/\p{M}/gu, '')];
  if (v.length > 4) out.push(v.slice(1, -1), v.slice(0, 3), v.slice(-3));
  return [...new Set(out)];
}

function generatedFilters(): string[] {
  const filters: string[] = [];
  for (const path of STRING_ATTRIBUTES) {
    const operands = new Set(GENERIC_STRINGS);
    for (const v of valuesOf(path === 'emails' ? 'emails.value' : path).slice(0, 3)) for (const x of variants(v)) operands.add(x);
    for (const op of STRING_OPS) for (const operand of operands) filters.push(`${path} ${op} ${q(operand)}`);
    filters.push(`${path} pr`, `not (${path} pr)`, `${path} eq null`, `${path} ne null`);
  }
  const BOOLEANS = ['active', 'emails.primary', 'addresses.primary', 'roles.primary', 'phoneNumbers.primary', 'ims.primary', `${MC}:protocolAccess.imap`, `${MC}:protocolAccess.pop3`, `${MC}:protocolAccess.sogo`];
  for (const path of BOOLEANS) for (const op of ['eq', 'ne']) for (const v of ['true', 'false']) filters.push(`${path} ${op} ${v}`);
  for (const path of BOOLEANS) filters.push(`${path} pr`, `${path} eq null`);
  const INTEGERS: [string, number[]][] = [
    [`${MC}:quota`, [512, 1024, 2048, 0, 1023.5, -1]],
    [`${MC}:usedBytes`, [0, 1, 5_000_000, 4_999_999.9]],
    [`${MC}:messageCount`, [0, 1, 3, 120, 121]],
  ];
  for (const [path, values] of INTEGERS) {
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le']) for (const v of values) filters.push(`${path} ${op} ${v}`);
    filters.push(`${path} pr`);
  }
  const created = ctx.users.map((r) => (r.meta as { created: string }).created).sort();
  const modified = ctx.users.map((r) => (r.meta as { lastModified: string }).lastModified).sort();
  for (const [path, instants] of [['meta.created', created], ['meta.lastModified', modified]] as const) {
    const mid = instants[Math.floor(instants.length / 2)]!;
    const ms = Date.parse(mid);
    const plus2 = new Date(ms + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const minus0530 = new Date(ms - 5.5 * 3600_000).toISOString().replace('Z', '-05:30');
    const noOffset = mid.replace('Z', '');
    const extraDigits = mid.replace('Z', '9Z');
    const operands = [mid, plus2, minus0530, noOffset, extraDigits, mid.toLowerCase(), '1960-01-01T00:00:00Z', '2010-06-15T12:00:00+14:00', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z'];
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le']) for (const v of operands) filters.push(`${path} ${op} ${q(v)}`);
    filters.push(`${path} pr`, `${path} co "2"`);
  }
  const COMPLEX = ['name', 'emails', 'addresses', 'phoneNumbers', 'ims', 'photos', 'roles', 'entitlements', 'x509Certificates', 'meta', 'groups', `${ENT}:manager`, `${MC}:protocolAccess`];
  for (const path of COMPLEX) filters.push(`${path} pr`, `not (${path} pr)`, `${path} eq null`);
  return filters;
}

const HAND_WRITTEN = (p: Population): string[] => {
  const [alice, bob] = p.ids;
  return [
    // RFC 7644 §3.4.2.2 examples, on our attributes.
    'userName Eq "alice"',
    'name.familyName co "rger"',
    'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName co "rger"',
    'userName sw "B"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Contractor"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    `schemas eq "${MC}"`,
    `schemas eq "${MC.toUpperCase()}"`,
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.org"]',
    'emails[type eq "work" and value co "@example.org"] or ims[type eq "xmpp" and value co "@xmpp.example"]',
    // Precedence and grouping: and binds tighter than or; not needs parentheses.
    'title eq "Engineer" or active eq false and userType pr',
    '(title eq "Engineer" or active eq false) and userType pr',
    'title eq "Engineer" or (active eq false and userType pr)',
    'not (title eq "Engineer") and not (active eq false)',
    'not (not (title eq "Engineer"))',
    'not (title eq "Engineer" or title eq "engineer" and active eq false)',
    'active eq true or not (active pr)',
    'userName eq "alice" or userName eq "carol" or userName eq "erin" or userName eq "zed"',
    '((userName sw "a" or userName sw "b") and (emails.type eq "work")) or displayName co "rene"',
    // Value filters.
    'emails[type eq "work"]',
    'emails[not (type eq "work")]',
    'emails[type eq "work" and primary eq true]',
    'emails[type eq "work" and not (primary eq true)]',
    'emails[primary eq false]',
    'emails[value pr]',
    'emails[not (value pr)]',
    'emails[display pr and not (value pr)]',
    'emails[value eq "ALICE@example.org"]',
    'emails[value eq "alice@example.org" and type eq "home"]',
    'emails[type eq "work"].value eq "grace@example.com"',
    'emails[type eq "work"].value eq "alice@example.org"',
    'emails[type ne "work"]',
    'addresses[country eq "de" or locality sw "ber"]',
    'addresses[country eq "DE" and primary eq true]',
    'addresses[locality eq "münchen"]',
    'addresses[locality eq "istanbul"]',
    'roles[value eq "admin" and primary eq true]',
    'phoneNumbers[type eq "mobile" and primary eq true]',
    'name[givenName sw "a" or familyName sw "a"]',
    'name[not (givenName pr)]',
    'name[middleName pr]',
    `${ENT}:manager[value eq "mgr-1"]`,
    `${MC}:protocolAccess[imap eq true and sogo eq true]`,
    `${MC}:protocolAccess[not (imap eq true)]`,
    `${MC}:tags[value eq "vip"]`,
    `${MC}:tags[value co "%" or value co "_"]`,
    `schemas[value eq "${ENT}"]`,
    `schemas[value eq "${MC}"]`,
    'meta[created gt "2000-01-01T00:00:00Z" and version eq "W/\\"1\\""]',
    'meta[version ne "W/\\"1\\""]',
    `groups[value eq "${p.groups.staff}"]`,
    `groups[display eq "sales team"]`,
    `groups.value eq "${p.groups.sales}"`,
    `groups.value ne "${p.groups.sales}"`,
    // URN-qualified, unqualified extension names, PascalCase.
    `${ENT}:department eq "Engineering"`,
    'department eq "engineering"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "MGR-1"',
    'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT sw "sal"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "Alice"',
    'UserName EQ "ALICE"',
    'Emails.Value CO "EXAMPLE"',
    'NAME.FAMILYNAME sw "ä"',
    'Active Eq True',
    'active eq TRUE',
    'Emails[Type eq "WORK" AND Primary EQ true]',
    // Case rules: caseExact id/externalId/meta.version, case-insensitive userName and e-mails.
    'externalId eq "ext-A"',
    'externalId eq "EXT-A"',
    'externalId eq "ext-b"',
    'externalId eq "ext-b "',
    `id eq "${alice}"`,
    `id eq "${alice!.toUpperCase()}"`,
    `id ne "${alice}"`,
    `id gt "${bob}"`,
    'meta.version eq "W/\\"3\\""',
    'meta.version eq "w/\\"3\\""',
    'meta.version gt "W/\\"1\\""',
    'meta.resourceType eq "User"',
    'meta.resourceType eq "user"',
    'userName eq "bob.smith@example.org"',
    'userName eq "BOB.SMITH@EXAMPLE.ORG"',
    'userName eq "alice "',
    'displayName eq "rene"',
    'displayName eq "René ärger"',
    'displayName eq "Rene "',
    `displayName eq ${q(`Dr. ${'Very Long Name '.repeat(20)}End`)}`,
    `displayName eq ${q(`Dr. ${'Very Long Name '.repeat(20)}End`.slice(0, 255))}`,
    `displayName eq ${q('N'.repeat(255))}`,
    `displayName eq ${q('n'.repeat(254))}`,
    // Nulls (RFC 7643 §2.5).
    'nickName eq null',
    'nickName ne null',
    'title eq null',
    'emails.display eq null',
    'name.familyName eq null and name pr',
    // Multi-valued ne: no value equals (absent included).
    'emails.value ne "alice@example.org"',
    'emails.type ne "work"',
    `${MC}:tags ne "vip"`,
    'roles.value ne "admin"',
    'emails ne "dave@example.org"',
    // Derived values.
    `${MC}:usedBytes gt 0`,
    `${MC}:messageCount ge 3 and ${MC}:usedBytes eq 5000000`,
    `${MC}:mailboxAddress eq "BOB.SMITH@example.org"`,
    `${MC}:mailboxAddress ew "@EXAMPLE.ORG"`,
    'meta.location co "/Users/"',
    `meta.location ew ${q(alice!)}`,
    // Strings with quotes and escapes.
    'nickName eq "back\\\\slash"',
    'title co "100%"',
    'title co "s_r"',
    `${MC}:tags eq "a_b"`,
    `${MC}:tags eq "a%b"`,
    `${MC}:tags co "%"`,
    // Errors both sides agree on.
    'password eq "x"',
    'nosuch eq "x"',
    'name eq "x"',
    'active gt true',
    `${MC}:quota co "1"`,
    'meta.created eq "yesterday"',
    'emails[value eq "x"',
    'emails[type eq "work"][value pr]',
    'emails[groups[value pr]]',
  ];
};

describe('filters: SQL and memory agree', () => {
  it('on the generated table and the hand-written cases', { timeout: 300_000 }, async () => {
    const resources = ctx.users;
    const filters = [...new Set([...generatedFilters(), ...HAND_WRITTEN(ctx.pop)])];
    const disagreements: { filter: string; sql: Outcome; memory: Outcome }[] = [];
    let nonTrivial = 0;
    let errors = 0;
    const batch = 16;
    for (let i = 0; i < filters.length; i += batch) {
      await Promise.all(
        filters.slice(i, i + batch).map(async (filter, j) => {
          const memory = filterInMemory(filter, USER_RESOURCE_TYPE, resources);
          const sql = (await filterOverHttp(ctx.pop.api, '/Users', filter, (i + j) % 7 === 0)).outcome;
          if (JSON.stringify(sql) !== JSON.stringify(memory)) disagreements.push({ filter, sql, memory });
          if ('ids' in memory && memory.ids.length > 0 && memory.ids.length < resources.length) nonTrivial++;
          if ('error' in memory) errors++;
        }),
      );
    }
    const show = (o: Outcome) => ('error' in o ? o.error : `[${o.ids.map((id) => resources.findIndex((r) => r.id === id)).join(',')}]`);
    expect(disagreements.map((d) => `${d.filter}  →  sql ${show(d.sql)}, memory ${show(d.memory)}`)).toEqual([]);
    // The table means something: many filters split the population, and only a few fail.
    expect(filters.length).toBeGreaterThan(2000);
    expect(nonTrivial).toBeGreaterThan(filters.length / 4);
    expect(errors).toBeLessThan(filters.length / 10);
    console.info(`filter agreement: ${filters.length} filters, ${nonTrivial} selecting some but not all users, ${errors} refused by both`);
  });

  it('an error says what is wrong (400 invalidFilter with a detail), never an empty list', async () => {
    const deep = `${'not ('.repeat(60)}userName pr${')'.repeat(60)}`;
    for (const filter of ['password eq "x"', 'nosuch eq "x"', 'name eq "x"', 'active gt true', 'userName eq', 'emails[type eq "work"', `a eq "${'x'.repeat(5000)}"`, deep]) {
      const r = await ctx.pop.api.get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect(r.status, filter).toBe(400);
      expect(r.body.scimType, filter).toBe('invalidFilter');
      expect(r.body.detail.length, filter).toBeGreaterThan(10);
    }
  });
});
