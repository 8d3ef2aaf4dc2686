/**
 * `mailcow-scim adopt`: hand existing mailboxes over to a SCIM token, one named mailbox at once,
 * or many (--domain, --from, --filter) after a dry run. Adopting changes how a mailbox signs in
 * (authsource 'scim': mailcow's own password check no longer applies), so every plan says, per
 * mailbox, which login route it takes afterwards before anything is written.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { AdoptionEntry, AdoptionResult, AdoptionResultOutcome, AdoptionSelection, AdoptionSummary } from '../adoption/index.js';
import { addToSummary, emptySummary, parseAddressList } from '../adoption/index.js';
import type { TokenRecord } from '../tokens/index.js';
import { openContext, type CliContext } from './context.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';
import { createProgress } from './progress.js';

const PAGE_SIZE = 100;

const USAGE = `mailcow-scim adopt ADDRESS --token TOKEN [--dry-run] [--json]
       mailcow-scim adopt (--domain D … | --from FILE | ADDRESS ADDRESS …) [--filter F] --token TOKEN [--move] [--yes] [--json]

Hands existing mailcow mailboxes over to the SCIM token TOKEN (its name, id or id prefix): each
becomes a SCIM mailbox (authsource 'scim') that no SCIM user owns yet, so the token's next
POST /Users for its address claims it (201) instead of answering 409. Mail, aliases, quota and
the password hash are kept; to hand one back, set its authsource to mailcow in mailcow's UI.

LOGINS CHANGE. From then on mailcow no longer checks the mailbox's own password: it signs in
through mailcow's identity provider (LDAP: the LDAP password; Keycloak with mailpassword_flow:
SSO or the Keycloak password; Keycloak without it or generic OIDC: SSO in the web UI only), and
with no identity provider configured not at all. Only app passwords keep working everywhere.
The plan prints, per mailbox, how it signs in today and afterwards.

One ADDRESS: prints that plan, then adopts it (--dry-run: only the plan). A mailbox another
token owns is moved to this one (its SCIM user is unlinked and leaves its groups).

Several mailboxes: a dry run by default (nothing is written) that lists, per mailbox, what will
change, its login route afterwards, and what conflicts (aliases, other authsources, other
tokens); --yes then adopts them, one transaction per mailbox, with a progress bar on a terminal
and a summary. Interrupted (Ctrl-C, a lost connection)? Run the same command again: mailboxes
already handed over are skipped.

  --token TOKEN   the SCIM token that takes the mailboxes over (required)
  --domain D      every mailbox of domain D (repeat for several; the token must manage D)
  --from FILE     the addresses in FILE, one per line (# comments; a CSV line's first field); - reads stdin
  --filter F      only mailboxes matching the SCIM filter F over the User each stands for:
                  userName and emails (the address), displayName (the mailbox name), active,
                  and urn:ietf:params:scim:schemas:extension:mailcow:2.0:User:quota|tags|protocolAccess,
                  e.g. 'userName ew "@sales.example.org"'; alone it covers the token's domains
  --move          also move mailboxes another token owns (named addresses always may)
  --yes           do it (several mailboxes); without it, a dry run
  --dry-run       only the plan, also for one ADDRESS
  --json          one JSON document: {token, dryRun, loginSummary, summary, entries|results}`;

function tagOf(action: AdoptionEntry['action']): string {
  return action.toUpperCase().padEnd(7);
}

/** One mailbox of a plan, for people: the change, the login route, then conflicts (!) and notes (·). */
function printEntry(io: CliIo, e: AdoptionEntry): void {
  print(io.stdout, `  ${tagOf(e.action)} ${e.address}${e.name ? `  (${e.name})` : ''}`);
  const pad = '          ';
  if (e.action !== 'adopt') {
    print(io.stdout, `${pad}${e.reason}`);
    return;
  }
  for (const c of e.changes) print(io.stdout, `${pad}${c}`);
  for (const c of e.conflicts) print(io.stdout, `${pad}! ${c}`);
  for (const n of e.notes) print(io.stdout, `${pad}· ${n}`);
}

function summaryLine(s: AdoptionSummary): string {
  const extra = [s.losePasswordLogin ? `${s.losePasswordLogin} without password login afterwards` : '', s.withConflicts ? `${s.withConflicts} with conflicts` : ''].filter(Boolean);
  return `${s.adopt} to adopt${extra.length ? ` (${extra.join(', ')})` : ''}, ${s.skip} skipped, ${s.refuse} refused`;
}

async function selectionFrom(values: Record<string, unknown>, positionals: string[], io: CliIo): Promise<Partial<AdoptionSelection>> {
  const addresses = [...positionals];
  if (typeof values.from === 'string') {
    const text = values.from === '-' ? await readStdin(io) : await readFile(values.from, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--from ${values.from}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    addresses.push(...parseAddressList(text));
  }
  return { addresses, domains: (values.domain as string[] | undefined) ?? [], filter: (values.filter as string | undefined) ?? '', moveFromOtherTokens: values.move === true };
}

async function readStdin(io: CliIo): Promise<string> {
  const input = io.stdin;
  if (!input) throw new UsageError('--from - needs addresses on standard input');
  let text = '';
  for await (const chunk of input) text += String(chunk);
  return text;
}

/** Every page of the dry run. */
async function planAll(ctx: CliContext, selection: AdoptionSelection, token: TokenRecord): Promise<AdoptionEntry[]> {
  const entries: AdoptionEntry[] = [];
  let pageToken = '';
  do {
    const page = await ctx.adoption.planPage(selection, token, { pageSize: PAGE_SIZE, pageToken });
    entries.push(...page.entries);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return entries;
}

function printPlan(io: CliIo, token: TokenRecord, loginSummary: string, entries: AdoptionEntry[], dryRun: boolean): AdoptionSummary {
  print(io.stdout, `Adoption by SCIM token "${token.name}" (${token.id})${dryRun ? ': dry run, nothing is changed' : ''}`);
  print(io.stdout, `Logins afterwards: ${loginSummary}`);
  print(io.stdout, "Kept as they are: mail, aliases, quota, the password hash (used again if a mailbox is handed back).");
  print(io.stdout);
  for (const e of entries) printEntry(io, e);
  const summary = entries.reduce(addToSummary, emptySummary());
  print(io.stdout);
  print(io.stdout, `Plan: ${summaryLine(summary)}.`);
  return summary;
}

export const adoptCommand: CliCommand = {
  path: ['adopt'],
  summary: 'hand existing mailboxes over to a SCIM token (dry run first; their logins move to the IdP)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        token: { type: 'string' },
        domain: { type: 'string', multiple: true },
        from: { type: 'string' },
        filter: { type: 'string' },
        move: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (!values.token) throw new UsageError('--token is required (see mailcow-scim token list)');
    if (values.yes && values['dry-run']) throw new UsageError('--yes and --dry-run exclude each other');
    const single = positionals.length === 1 && !values.domain && values.from === undefined;
    const input = await selectionFrom(values, positionals, io);
    const ctx = openContext(io);
    try {
      const token = await ctx.tokens.resolve(values.token);
      const selection = ctx.adoption.select(input, token);
      const loginSummary = await ctx.adoption.loginSummary();
      const entries = await planAll(ctx, selection, token);
      const dryRun = values['dry-run'] === true || (!single && values.yes !== true);
      if (dryRun) {
        const summary = entries.reduce(addToSummary, emptySummary());
        if (values.json) print(io.stdout, JSON.stringify({ token: { id: token.id, name: token.name }, dryRun: true, loginSummary, summary, entries }));
        else {
          printPlan(io, token, loginSummary, entries, true);
          if (summary.adopt) print(io.stdout, `Nothing was changed. To adopt ${summary.adopt === 1 && single ? 'it' : `these ${summary.adopt}`}, run the same command with ${single ? 'no --dry-run' : '--yes'}.`);
        }
        // One named mailbox that cannot be adopted is a failure; in a bulk plan refusals are part of the report.
        return single && summary.refuse ? 1 : 0;
      }
      if (!values.json) printPlan(io, token, loginSummary, entries, false);
      const results = await execute(ctx, io, selection, token, entries.filter((e) => e.action === 'adopt').length, !values.json);
      const counts = countOutcomes(results.results);
      if (values.json) print(io.stdout, JSON.stringify({ token: { id: token.id, name: token.name }, dryRun: false, loginSummary, counts, interrupted: results.interrupted, results: results.results }));
      else {
        print(io.stdout);
        print(io.stdout, `Done: ${counts.adopted} adopted, ${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.refused} refused, ${counts.failed} failed.`);
        if (results.interrupted) print(io.stdout, 'Interrupted: run the same command again to go on (mailboxes already adopted are skipped).');
        if (counts.adopted) print(io.stdout, `The IdP's next create for each adopted address claims its mailbox for token "${token.name}".`);
      }
      if (results.interrupted) return 130;
      return counts.failed || (single && counts.refused) ? 1 : 0;
    } finally {
      await ctx.close();
    }
  },
};

function countOutcomes(results: AdoptionResult[]): Record<AdoptionResultOutcome, number> {
  const counts: Record<AdoptionResultOutcome, number> = { adopted: 0, unchanged: 0, skipped: 0, refused: 0, failed: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** The change itself: page after page, a progress bar on a terminal, plain lines otherwise; Ctrl-C stops after the current mailbox. */
async function execute(ctx: CliContext, io: CliIo, selection: AdoptionSelection, token: TokenRecord, total: number, human: boolean): Promise<{ results: AdoptionResult[]; interrupted: boolean }> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  const progress = human ? createProgress(io.stdout, total) : undefined;
  const results: AdoptionResult[] = [];
  try {
    let pageToken = '';
    do {
      const page = await ctx.adoption.executePage(selection, token, { pageSize: PAGE_SIZE, pageToken }, (r) => {
        results.push(r);
        if (!progress || r.outcome === 'skipped' || r.outcome === 'refused') return;
        progress.step(r.outcome === 'failed' ? `FAILED  ${r.address}: ${r.detail}` : `${r.outcome.padEnd(9)} ${r.address}`, r.outcome);
      }, stop.signal);
      if (page.stopped) return { results, interrupted: true };
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { results, interrupted: false };
  } finally {
    progress?.end();
    process.removeListener('SIGINT', onSignal);
  }
}
