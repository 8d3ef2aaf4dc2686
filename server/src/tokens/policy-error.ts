/**
 * A refused token policy, with each problem named by the field it concerns: the CLI prints them
 * one per line, the gRPC surface sends them as metadata so the admin page can show each next to
 * its field, and a bad template rule carries the offset into its filter and an excerpt.
 */
import { ScimError } from '../scim/index.js';

export interface PolicyProblem {
  /** The policy field, as in the policy JSON: `domains`, `templateRules[2].filter`, `name`. */
  field: string;
  message: string;
  /** For template rules: the rule's index (0-based) in `templateRules`. */
  ruleIndex?: number;
  /** For rule filters: the 0-based offset into the filter text the message refers to. */
  offset?: number;
  /** For rule filters: the filter text around `offset`, and a caret line under it. */
  excerpt?: string;
}

export class PolicyError extends ScimError {
  readonly problems: readonly PolicyProblem[];

  constructor(problems: PolicyProblem[]) {
    // invalidFilter when only rule filters are wrong: the one thing an admin has to retype.
    const scimType = problems.every((p) => p.offset !== undefined) ? 'invalidFilter' : 'invalidValue';
    super(400, `Invalid token policy: ${problems.map(describeProblem).join('; ')}.`, { scimType });
    this.problems = problems;
  }
}

/** One problem as a sentence; a rule filter's excerpt follows on its own lines. */
export function describeProblem(p: PolicyProblem): string {
  const where = p.offset !== undefined ? ` (at offset ${p.offset})` : '';
  const excerpt = p.excerpt ? `\n${p.excerpt.replace(/^/gm, '    ')}\n` : '';
  return `${p.field}${where}: ${p.message}${excerpt}`;
}
