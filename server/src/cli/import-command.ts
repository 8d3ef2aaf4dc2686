/** `mailcow-scim import pr7148`: take over the SCIM provider of mailcow PR 7148 (dry run first). */
import { parseArgs } from 'node:util';
import { Pr7148Importer, type ImportPlan, type ImportSummary } from '../imports/index.js';
import { linkImportedUser, readImportFacts, readPr7148Source } from '../mailcow/pr7148-import.js';
import { openContext } from './context.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';
import { createProgress } from './progress.js';

const USAGE = `mailcow-scim import pr7148 [--yes] [--json]

Takes over what the SCIM provider of mailcow pull request 7148 left in mailcow's database
(its tables scim_tokens and scim_maps), so the identity provider's next sync goes on against
mailcow-scim without duplicates or 409s:

  tokens     each becomes a mailcow-scim token with the same SHA-256, so the bearer token the
             IdP holds keeps working; its domain restriction (or, for "every domain", the domains
             of its mailboxes), its default template and its IP allow-list come along
  mappings   each externalId → mailbox row becomes a SCIM user of that token; it keeps the SCIM
             id the IdP stored when the branch gave it one (scim_id), otherwise the IdP finds the
             user again by userName or externalId after a 404 (the plan says which, per mailbox)

Mailboxes are not changed (a mailbox PR 7148 deactivated stays at active=0), and the branch's
tables are only read. Template mappers cannot be carried over; the plan says what to do instead.
Without --yes this is a dry run. Running it again imports only what is not imported yet.

  --yes     do the import
  --json    one JSON document: {layout, summary, plan, steps?}`;

function printPlan(io: CliIo, plan: ImportPlan, summary: ImportSummary): void {
  print(io.stdout, `mailcow PR 7148 tables found (${plan.layout.tokens} layout${plan.layout.mapsHaveScimId ? ', with scim_id' : ', without scim_id'}).`);
  print(io.stdout);
  print(io.stdout, 'Tokens:');
  for (const t of plan.tokens) {
    print(io.stdout, `  ${t.action.toUpperCase().padEnd(7)} #${t.sourceId} "${t.description}"${t.action === 'import' ? ` → token "${t.name}"` : ''}`);
    if (t.action !== 'import') {
      print(io.stdout, `          ${t.reason}`);
      continue;
    }
    print(io.stdout, `          domains ${t.policy.domains.join(', ') || '(none)'}; default template ${t.policy.defaultTemplate ?? "(mailcow's first)"}; IP allow-list ${t.policy.ipAllowList.join(', ') || 'any'}; ${t.active ? 'active' : 'disabled'}`);
    for (const c of t.conflicts) print(io.stdout, `          ! ${c}`);
    for (const n of t.notes) print(io.stdout, `          · ${n}`);
  }
  print(io.stdout);
  print(io.stdout, 'Mailboxes (scim_maps):');
  for (const l of plan.links) {
    print(io.stdout, `  ${l.action.toUpperCase().padEnd(7)} ${l.mailbox}${l.externalId ? `  externalId ${l.externalId}` : ''}`);
    print(io.stdout, `          ${l.action === 'link' ? l.matching : l.reason}`);
    for (const n of l.notes) print(io.stdout, `          · ${n}`);
  }
  print(io.stdout);
  print(
    io.stdout,
    `Plan: ${summary.tokens.import} token(s) to import, ${summary.tokens.skip} already imported, ${summary.tokens.refuse} refused; ` +
      `${summary.links.link} mailbox(es) to link (${summary.idsKept} keep their SCIM id), ${summary.links.skip} already linked, ${summary.links.refuse} refused.`,
  );
}

export const importCommand: CliCommand = {
  path: ['import', 'pr7148'],
  summary: "take over mailcow PR 7148's SCIM tokens and user links (dry run first)",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { yes: { type: 'boolean', short: 'y' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length) throw new UsageError(`unexpected ${positionals.join(' ')}`);
    if (values.yes && values['dry-run']) throw new UsageError('--yes and --dry-run exclude each other');
    const ctx = openContext(io);
    try {
      const importer = new Pr7148Importer({
        readSource: () => readPr7148Source(ctx.pool),
        readFacts: (source) => readImportFacts(ctx.pool, source),
        tokens: ctx.tokens,
        link: (l) => linkImportedUser(ctx.pool, l),
      });
      if (!values.yes) {
        const { plan, summary } = await importer.plan();
        if (values.json) print(io.stdout, JSON.stringify({ dryRun: true, layout: plan.layout, summary, plan }));
        else {
          printPlan(io, plan, summary);
          print(io.stdout, 'Nothing was changed. Run the same command with --yes to import.');
        }
        return 0;
      }
      const human = !values.json;
      let progress: ReturnType<typeof createProgress> | undefined;
      if (human) {
        const { plan, summary } = await importer.plan();
        printPlan(io, plan, summary);
        print(io.stdout);
        progress = createProgress(io.stdout, plan.tokens.length + plan.links.length);
      }
      const report = await importer.run((s) => progress?.step(`${s.outcome.padEnd(9)} ${s.kind} ${s.subject}${s.outcome === 'failed' ? `: ${s.detail}` : ''}`, s.outcome));
      progress?.end();
      const c = report.counts;
      if (values.json) print(io.stdout, JSON.stringify({ dryRun: false, layout: report.plan.layout, summary: report.summary, counts: c, steps: report.steps }));
      else {
        print(io.stdout, `Done: ${c.imported} token(s) imported, ${c.linked} mailbox(es) linked, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.refused} refused, ${c.failed} failed.`);
        if (c.imported || c.linked) {
          print(io.stdout, 'Next: point the IdP at https://<MAILCOW_HOSTNAME>/scim/v2 (the same token) and turn the PR 7148 provider off, so that only one of them answers /scim/v2.');
        }
      }
      return c.failed ? 1 : 0;
    } finally {
      await ctx.close();
    }
  },
};
