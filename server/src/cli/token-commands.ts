/** `mailcow-scim token create|list|show|update|rotate|revoke`. */
import { parseArgs } from 'node:util';
import type { TokenRecord } from '../tokens/index.js';
import { openContext } from './context.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';

const POLICY_OPTIONS = {
  domain: { type: 'string', multiple: true },
  'default-domain': { type: 'string' },
  template: { type: 'string' },
  'template-rule': { type: 'string', multiple: true },
  'on-deactivate': { type: 'string' },
  'on-delete': { type: 'string' },
  'alias-sync': { type: 'string' },
  ip: { type: 'string', multiple: true },
  'group-address-from-name': { type: 'string' },
  'group-sender-acl': { type: 'string' },
  'quota-source': { type: 'string' },
  'event-retention-days': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const POLICY_HELP = `Policy options:
  --domain D                 a mailcow domain the token manages (repeat for several)
  --default-domain D         domain for userNames that are not addresses (one of --domain)
  --template NAME            mailcow mailbox template used when no rule matches
  --template-rule 'F => T'   SCIM filter F picks template T; repeat, first match wins. The rules
                             given replace all stored ones; --template-rule '' removes them all.
                             A filter that would not parse, or names an attribute Users do not
                             have, is refused with its position, e.g. department eq "Sales
  --on-deactivate MODE       disallow-login (2, default: mail still delivered) | inactive (0)
  --on-delete MODE           deactivate (default: keep mailbox and mail) | delete
  --alias-sync true|false    secondary e-mails in managed domains become aliases (default true)
  --ip CIDR                  allow the token only from these addresses (repeat; the addresses
                             given replace the list; --ip '' allows any address again)
  --group-address-from-name true|false   groups without an address get <slug>@default-domain
  --group-sender-acl true|false          members may send as their group's address
  --quota-source form|domain|template    quota without one from the IdP: form (default, as mailcow's
                                         add form: the chosen template's, else the domain default),
                                         or always the domain default, or always the template's
  --event-retention-days N   keep this token's audit events N days (default 90)
  --template '' / --default-domain ''    clear those fields
  --json                     print JSON (errors too: {"error": {"code", "message", …}})

A token is named by its name (case-insensitive), its id, or the first characters of its id.`;

type PolicyValues = Partial<Record<keyof typeof POLICY_OPTIONS, string | string[] | boolean>>;

function parseBool(name: string, v: string): boolean {
  if (/^(true|yes|1|on)$/i.test(v)) return true;
  if (/^(false|no|0|off)$/i.test(v)) return false;
  throw new UsageError(`--${name} takes true or false`);
}

/** Only the options given become policy fields, so `update` changes just those. */
function policyFromOptions(v: PolicyValues): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (v.domain) p.domains = v.domain;
  if (v['default-domain'] !== undefined) p.defaultDomain = v['default-domain'] || null;
  if (v.template !== undefined) p.defaultTemplate = v.template || null;
  if (v['template-rule']) {
    // '' is how an admin removes every rule (issue 13: rules could not be cleared once set).
    p.templateRules = (v['template-rule'] as string[])
      .filter((r) => r.trim() !== '')
      .map((r) => {
        const i = r.lastIndexOf('=>');
        if (i < 0) throw new UsageError(`--template-rule "${r}" must look like 'FILTER => TEMPLATE' ('' removes all rules)`);
        return { filter: r.slice(0, i).trim(), template: r.slice(i + 2).trim() };
      });
  }
  if (v['on-deactivate'] !== undefined) {
    const m = String(v['on-deactivate']).toLowerCase();
    p.onDeactivate = m === 'disallow-login' || m === '2' ? 2 : m === 'inactive' || m === '0' ? 0 : m;
  }
  if (v['on-delete'] !== undefined) p.onDelete = v['on-delete'];
  if (v['alias-sync'] !== undefined) p.aliasSync = parseBool('alias-sync', String(v['alias-sync']));
  // --ip '' empties the list: the token is usable from any address again.
  if (v.ip) p.ipAllowList = (v.ip as string[]).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (v['group-address-from-name'] !== undefined) p.groupAddressFromName = parseBool('group-address-from-name', String(v['group-address-from-name']));
  if (v['group-sender-acl'] !== undefined) p.groupSenderAcl = parseBool('group-sender-acl', String(v['group-sender-acl']));
  if (v['quota-source'] !== undefined) p.quotaSource = v['quota-source'];
  if (v['event-retention-days'] !== undefined) p.eventRetentionDays = v['event-retention-days'];
  return p;
}

function tokenJson(t: TokenRecord): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    active: t.active && !t.revokedAt,
    revokedAt: t.revokedAt,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedIp: t.lastUsedIp,
    policy: t.policy,
  };
}

/** Every policy field, so what `show` prints is the whole truth about a token. */
function describe(t: TokenRecord): string {
  const p = t.policy;
  const onOff = (b: boolean) => (b ? 'on' : 'off');
  return [
    `id:             ${t.id}`,
    `name:           ${t.name}`,
    `prefix:         ${t.prefix}…`,
    `state:          ${t.revokedAt ? `revoked ${t.revokedAt}` : t.active ? 'active' : 'disabled'}`,
    `domains:        ${p.domains.join(', ') || '(none)'}`,
    `default domain: ${p.defaultDomain ?? '(none)'}`,
    `template:       ${p.defaultTemplate ?? "(mailcow's first mailbox template)"}`,
    ...(p.templateRules.length ? p.templateRules.map((r, i) => `rule ${String(i + 1).padEnd(10)}${r.filter} => ${r.template}`) : ['rules:          (none)']),
    `on deactivate:  ${p.onDeactivate === 2 ? 'disallow login, keep delivering mail (active=2)' : 'mailbox inactive (active=0)'}`,
    `on delete:      ${p.onDelete === 'delete' ? 'delete the mailbox' : 'deactivate and keep the mailbox'}`,
    `alias sync:     ${onOff(p.aliasSync)}`,
    `IP allow-list:  ${p.ipAllowList.join(', ') || 'any'}`,
    `group address from name: ${onOff(p.groupAddressFromName)}`,
    `group sender ACL:        ${onOff(p.groupSenderAcl)}`,
    `quota source:   ${p.quotaSource === 'template' ? "always the mailbox template's quota" : p.quotaSource === 'domain' ? "always the domain's default quota" : "as mailcow's add form (the chosen template's quota, else the domain default)"}`,
    `event retention: ${p.eventRetentionDays} days`,
    `created:        ${t.createdAt}`,
    `last used:      ${t.lastUsedAt ? `${t.lastUsedAt} from ${t.lastUsedIp ?? '?'}` : 'never'}`,
  ].join('\n');
}

function withToken(io: CliIo, fn: (ctx: ReturnType<typeof openContext>) => Promise<number>): Promise<number> {
  const ctx = openContext(io);
  return fn(ctx).finally(() => ctx.close());
}

const SECRET_NOTE = 'Store it now: it is shown only this once and cannot be recovered (rotate it if lost).';

export const tokenCommands: CliCommand[] = [
  {
    path: ['token', 'create'],
    summary: 'issue a SCIM token (shown once) with its provisioning policy',
    usage: `mailcow-scim token create --name NAME --domain D [--domain D2 …] [options]\n\n${POLICY_HELP}`,
    async run(args, io) {
      const { values } = parseArgs({ args, options: { ...POLICY_OPTIONS, name: { type: 'string' } }, strict: true });
      if (!values.name) throw new UsageError('--name is required');
      if (!values.domain?.length) throw new UsageError('at least one --domain is required');
      return withToken(io, async (ctx) => {
        const issued = await ctx.tokens.create(values.name!, policyFromOptions(values));
        if (values.json) print(io.stdout, JSON.stringify({ ...tokenJson(issued.token), token: issued.secret }));
        else print(io.stdout, `${describe(issued.token)}\n\ntoken:          ${issued.secret}\n\n${SECRET_NOTE}`);
        return 0;
      });
    },
  },
  {
    path: ['token', 'list'],
    summary: 'list SCIM tokens',
    usage: 'mailcow-scim token list [--all] [--json]\n\n  --all   include revoked tokens',
    async run(args, io) {
      const { values } = parseArgs({ args, options: { all: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
      return withToken(io, async (ctx) => {
        const list = await ctx.tokens.list(values.all ?? false);
        if (values.json) print(io.stdout, JSON.stringify(list.map(tokenJson)));
        else if (list.length === 0) print(io.stdout, 'No SCIM tokens. Create one with: mailcow-scim token create --name NAME --domain DOMAIN');
        else {
          for (const t of list) {
            const state = t.revokedAt ? 'revoked' : t.active ? 'active' : 'disabled';
            print(io.stdout, `${t.id}  ${t.prefix}…  ${state.padEnd(8)}  ${t.name}  [${t.policy.domains.join(', ')}]  last used: ${t.lastUsedAt ?? 'never'}`);
          }
        }
        return 0;
      });
    },
  },
  {
    path: ['token', 'show'],
    summary: 'show one token and its policy',
    usage: 'mailcow-scim token show TOKEN [--json]\n\nTOKEN is the name, the id, or the first characters of the id.',
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('name exactly one token (its name, id or id prefix)');
      return withToken(io, async (ctx) => {
        const t = await ctx.tokens.resolve(positionals[0]!);
        print(io.stdout, values.json ? JSON.stringify(tokenJson(t)) : describe(t));
        return 0;
      });
    },
  },
  {
    path: ['token', 'update'],
    summary: "change a token's name, state or policy (only the options given)",
    usage: `mailcow-scim token update TOKEN [--name NAME] [--active true|false] [policy options]\n\n${POLICY_HELP}`,
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args,
        options: { ...POLICY_OPTIONS, name: { type: 'string' }, active: { type: 'string' } },
        allowPositionals: true,
      });
      if (positionals.length !== 1) throw new UsageError('name exactly one token (its name, id or id prefix)');
      const policy = policyFromOptions(values);
      return withToken(io, async (ctx) => {
        const { id } = await ctx.tokens.resolve(positionals[0]!);
        const t = await ctx.tokens.update(id, {
          name: values.name,
          active: values.active === undefined ? undefined : parseBool('active', values.active),
          policy: Object.keys(policy).length ? policy : undefined,
        });
        print(io.stdout, values.json ? JSON.stringify(tokenJson(t)) : describe(t));
        return 0;
      });
    },
  },
  {
    path: ['token', 'rotate'],
    summary: 'replace a token\'s secret (the old one stops working at once)',
    usage: 'mailcow-scim token rotate TOKEN [--json]',
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('name exactly one token (its name, id or id prefix)');
      return withToken(io, async (ctx) => {
        const issued = await ctx.tokens.rotate((await ctx.tokens.resolve(positionals[0]!)).id);
        if (values.json) print(io.stdout, JSON.stringify({ ...tokenJson(issued.token), token: issued.secret }));
        else print(io.stdout, `token:          ${issued.secret}\n\n${SECRET_NOTE}`);
        return 0;
      });
    },
  },
  {
    path: ['token', 'revoke'],
    summary: 'revoke a token for good (its SCIM users and mailboxes stay)',
    usage: 'mailcow-scim token revoke TOKEN [--json]',
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('name exactly one token (its name, id or id prefix)');
      return withToken(io, async (ctx) => {
        const t = await ctx.tokens.revoke((await ctx.tokens.resolve(positionals[0]!)).id);
        print(io.stdout, values.json ? JSON.stringify(tokenJson(t)) : `revoked ${t.name} (${t.id})`);
        return 0;
      });
    },
  },
];
