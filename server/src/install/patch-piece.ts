/**
 * The marker-delimited patch of mailcow's tracked files (hunks.ts). Each hunk stands alone: a
 * hunk whose anchor drifted (a mailcow update moved or changed that code) is left out and
 * reported with what it disables, and every hunk that still finds its anchor is applied, so one
 * moved line in mailcow no longer costs all the others. A file that is missing altogether is
 * not a mailcow checkout, and refuses the whole install.
 */
import { PATCHED_FILES, HUNKS } from './hunks.js';
import { describeMatch, type Hunk, type PatchedFile } from './hunk.js';
import { readText } from './mailcow-dir.js';
import { applyHunk, inspectHunk, joinText, revertHunk, splitText, type FileText } from './patch-file.js';
import { emptyPlan, type PiecePlan, type PieceState } from './plan.js';
import { lineMatches } from './hunk.js';

const RESTORE_HINT = (file: string) =>
  `If you edited it, restore mailcow's version (git checkout -- ${file}) and run install again; if mailcow changed this code, a newer mailcow-scim is needed.`;

/** Where one hunk ended up, for the bridge's install record (bridge-stamp.ts). */
export interface HunkOutcome {
  hunk: Hunk;
  state: 'installed' | 'satisfied' | 'drifted';
  /** Why it was left out (drifted only). */
  reason?: string;
  /** The marker block as it stands in the file after install, begin to end (installed only). */
  block?: string[];
}

export interface PatchPlan extends PiecePlan {
  /** One per hunk, install only (empty on uninstall or when a file is missing). */
  outcomes: HunkOutcome[];
}

const bare = (line: string) => line.replace(/\r$/, '');

function signatureProblem(pf: PatchedFile, text: FileText): string | undefined {
  const missing = pf.signatures.filter((sig) => !text.lines.some((l) => lineMatches(l, sig)));
  if (missing.length === 0) return undefined;
  return `${pf.file} does not look like ${pf.description} as mailcow-scim expects it: ${missing.map(describeMatch).join('; ')} not found.`;
}

/** Install: every hunk of one file that can be placed is, each other one is reported drifted. */
function installFile(pf: PatchedFile, original: string, plan: PatchPlan): string {
  let text = splitText(original);
  const hunks = HUNKS.filter((h) => h.file === pf.file);
  // A file that lost a signature may be something else entirely: keep what is already there,
  // add nothing new to it.
  const sig = signatureProblem(pf, text);
  const settled: Hunk[] = [];
  for (const h of hunks) {
    const s = inspectHunk(text, pf.style, h);
    const report = (state: PieceState, detail: string) => plan.reports.push({ piece: 'patch', item: `${pf.file} ${h.id}`, state, detail, impact: h.impact });
    const drifted = (reason: string) => {
      report('drifted', `${reason} This hunk is left out; the rest of the patch is installed. ${RESTORE_HINT(pf.file)}`);
      plan.outcomes.push({ hunk: h, state: 'drifted', reason });
    };
    switch (s.kind) {
      case 'applied':
        report('installed', h.purpose);
        settled.push(h);
        break;
      case 'satisfied':
        report('satisfied', `${h.purpose} (mailcow's code already does this)`);
        plan.outcomes.push({ hunk: h, state: 'satisfied' });
        break;
      case 'pending':
        if (sig) drifted(sig);
        else {
          text = applyHunk(text, pf.style, h, s.at);
          report('missing', h.purpose);
          settled.push(h);
        }
        break;
      case 'outdated': {
        if (sig) {
          drifted(sig);
          break;
        }
        const reverted = revertHunk(text, pf.style, h, s.begin, s.end);
        const again = inspectHunk(reverted, pf.style, h);
        if (again.kind === 'pending') {
          text = applyHunk(reverted, pf.style, h, again.at);
          report('outdated', h.purpose);
          settled.push(h);
        } else {
          drifted(`${pf.file}: the block ${h.id} was written by another mailcow-scim version and cannot be refreshed (${again.kind === 'drifted' ? again.reason : again.kind}).`);
        }
        break;
      }
      case 'drifted':
        if (sig) drifted(sig);
        else drifted(`${pf.file} does not look like the mailcow version this patch expects (hook point ${h.hookPoint}, ${h.id}): ${s.reason}.`);
        break;
      case 'damaged':
        drifted(`${pf.file}: the mailcow-scim block ${h.id} is damaged (${s.reason}), probably by a merge in update.sh.`);
        break;
    }
  }
  // Blocks are read back from the final text: a later hunk may have moved an earlier one.
  for (const h of settled) {
    const s = inspectHunk(text, pf.style, h);
    if (s.kind === 'applied') plan.outcomes.push({ hunk: h, state: 'installed', block: text.lines.slice(s.begin, s.end + 1).map(bare) });
  }
  return joinText(text);
}

/** Uninstall: every block goes, mailcow's recorded lines come back; a damaged block refuses. */
function uninstallFile(pf: PatchedFile, original: string, plan: PatchPlan): string {
  let text = splitText(original);
  for (const h of HUNKS.filter((x) => x.file === pf.file)) {
    const s = inspectHunk(text, pf.style, h);
    let state: PieceState = 'absent';
    let detail = h.purpose;
    if (s.kind === 'applied' || s.kind === 'outdated') {
      state = 'installed';
      text = revertHunk(text, pf.style, h, s.begin, s.end);
    } else if (s.kind === 'damaged') {
      state = 'refused';
      detail = `${pf.file}: the mailcow-scim block ${h.id} is damaged (${s.reason}); remove its lines by hand (they start with mailcow-scim:) or git checkout -- ${pf.file}`;
    }
    plan.reports.push({ piece: 'patch', item: `${pf.file} ${h.id}`, state, detail });
  }
  return joinText(text);
}

export async function planPatch(dir: string, action: 'install' | 'uninstall'): Promise<PatchPlan> {
  const plan: PatchPlan = { ...emptyPlan(), outcomes: [] };
  for (const pf of PATCHED_FILES) {
    const original = await readText(dir, pf.file);
    if (original === undefined) {
      for (const h of HUNKS.filter((x) => x.file === pf.file)) {
        plan.reports.push({
          piece: 'patch',
          item: `${pf.file} ${h.id}`,
          state: action === 'install' ? 'refused' : 'absent',
          detail: `${pf.file} is missing${action === 'install' ? ': this does not look like a complete mailcow checkout' : ''}`,
        });
      }
      continue;
    }
    const updated = action === 'install' ? installFile(pf, original, plan) : uninstallFile(pf, original, plan);
    if (updated !== original) plan.ops.push({ kind: 'write', path: pf.file, content: updated, backup: true });
  }
  return plan;
}
