/**
 * The dry run of one mailbox: what adoption will change, how the mailbox signs in afterwards,
 * and what may get in the way. Pure: the facts come from the store and the identity provider.
 */
import { describeAdoptedLogin, SCIM_AUTHSOURCE, type AdoptedLogin, type IdentityProviderSettings } from '../login-routing/index.js';
import type { TokenRecord } from '../tokens/index.js';
import type { AdoptionCandidate } from './ports.js';

/** adopt: will be handed over; skip: nothing to do; refuse: will not be touched (a conflict). */
type AdoptionAction = 'adopt' | 'skip' | 'refuse';

export interface AdoptionEntry {
  address: string;
  name: string;
  action: AdoptionAction;
  /** For skip and refuse: why. */
  reason?: string;
  /** mailbox.authsource today ('mailcow' when NULL). */
  authsource: string;
  /** What adoption writes, in words ("authsource mailcow → scim", "unlink SCIM user … of token …"). */
  changes: string[];
  /** How it signs in today and after adoption (absent for an address with no mailbox). */
  login?: AdoptedLogin;
  /** Things that may make the IdP's next sync fail or surprise someone, in words. */
  conflicts: string[];
  /** Facts worth knowing that need no action. */
  notes: string[];
}

export interface PlanContext {
  token: TokenRecord;
  idp: IdentityProviderSettings;
  /** Move mailboxes another token owns (named addresses, or --move). */
  moveFromOtherTokens: boolean;
}

const OTHER_IDP_AUTHSOURCES = new Set(['keycloak', 'ldap', 'generic-oidc']);

export function planMailbox(c: AdoptionCandidate, ctx: PlanContext): AdoptionEntry {
  const authsource = c.authsource ?? 'mailcow';
  if (c.missing) return { address: c.address, name: '', action: 'refuse', reason: `no mailbox ${c.address} in mailcow`, authsource, changes: [], conflicts: [], notes: [] };
  const login = describeAdoptedLogin(
    { username: c.address, authsource: c.authsource, active: c.active, domainActive: c.domainActive, attributes: c.attributes },
    ctx.idp,
  );
  const entry: AdoptionEntry = { address: c.address, name: c.name, action: 'adopt', authsource, changes: [], login, conflicts: [], notes: [] };
  const refuse = (reason: string) => ({ ...entry, action: 'refuse' as const, reason, changes: [] });
  const skip = (reason: string) => ({ ...entry, action: 'skip' as const, reason, changes: [] });

  if (c.kind !== '') return skip(`a mailcow resource (${c.kind}), not a person's mailbox`);
  if (!ctx.token.policy.domains.includes(c.domain)) {
    return refuse(`token "${ctx.token.name}" does not manage ${c.domain}; add the domain to its policy first`);
  }
  if (c.link && c.link.tokenId === ctx.token.id) return skip(`already provisioned by this token (SCIM user ${c.link.userId})`);
  if (c.link && !ctx.moveFromOtherTokens) {
    return refuse(`owned by SCIM token "${c.link.tokenName}" (user ${c.link.userId}); name the address, or pass --move, to move it`);
  }
  if (!c.link && authsource === SCIM_AUTHSOURCE) {
    return skip("already handed over (authsource 'scim', no SCIM user yet): the IdP's next create claims it");
  }

  if (authsource !== SCIM_AUTHSOURCE) entry.changes.push(`authsource ${authsource} → ${SCIM_AUTHSOURCE}`);
  if (c.link) {
    entry.changes.push(`unlink SCIM user ${c.link.userId} of token "${c.link.tokenName}" (it leaves its groups; that IdP gets 404 for it)`);
  }
  entry.changes.push(`login: ${login.before} → ${login.after}`);
  if (login.losesPasswordLogin) entry.conflicts.push('password logins stop working for this mailbox (app passwords keep working)');
  if (login.onlyAppPasswords) entry.conflicts.push('no identity provider can sign it in: only app passwords work until one is configured');
  if (login.inactive) entry.notes.push(login.inactive);
  if (OTHER_IDP_AUTHSOURCES.has(authsource)) {
    entry.notes.push(`mailcow's ${authsource} sync stops updating it (it skips 'scim' mailboxes); the IdP's SCIM provisioning takes over`);
  }
  for (const a of c.aliases) {
    if (a.ownedBySidecar) continue;
    if (a.targets.length === 1) {
      entry.notes.push(`alias ${a.address} (made in mailcow) delivers here: kept as it is, also if the IdP sends it as an e-mail of this user`);
    } else {
      entry.conflicts.push(
        `alias ${a.address} (made in mailcow) delivers here and to ${a.targets.length - 1} other(s): if the IdP sends it as an e-mail of this user, that change answers 409; the sidecar never takes over an admin's alias`,
      );
    }
  }
  return entry;
}

export interface AdoptionSummary {
  adopt: number;
  skip: number;
  refuse: number;
  /** Mailboxes whose password logins stop working. */
  losePasswordLogin: number;
  /** Entries with at least one conflict. */
  withConflicts: number;
}

export function emptySummary(): AdoptionSummary {
  return { adopt: 0, skip: 0, refuse: 0, losePasswordLogin: 0, withConflicts: 0 };
}

export function addToSummary(s: AdoptionSummary, e: AdoptionEntry): AdoptionSummary {
  s[e.action]++;
  if (e.action === 'adopt' && e.login?.losesPasswordLogin) s.losePasswordLogin++;
  if (e.action === 'adopt' && e.conflicts.length) s.withConflicts++;
  return s;
}
