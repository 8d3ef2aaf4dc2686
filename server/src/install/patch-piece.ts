/**
 * The marker-delimited patch of mailcow's tracked files (hunks.ts). A file is recognised first
 * (its signatures), then every hunk is located; one file that is not the expected mailcow code
 * refuses the whole install, so no tree is ever left half-patched.
 */
import { PATCHED_FILES, HUNKS } from './hunks.js';
import { describeMatch, type PatchedFile } from './hunk.js';
import { readText } from './mailcow-dir.js';
import { applyHunk, inspectHunk, joinText, revertHunk, splitText, type FileText } from './patch-file.js';
import { emptyPlan, type PiecePlan, type PieceState } from './plan.js';
import { lineMatches } from './hunk.js';

const RESTORE_HINT = (file: string) =>
  `If you edited it, restore mailcow's version (git checkout -- ${file}) and run install again; if mailcow changed this code, a newer mailcow-scim is needed.`;

function signatureProblem(pf: PatchedFile, text: FileText): string | undefined {
  const missing = pf.signatures.filter((sig) => !text.lines.some((l) => lineMatches(l, sig)));
  if (missing.length === 0) return undefined;
  return `${pf.file} does not look like ${pf.description} as mailcow-scim expects it: ${missing.map(describeMatch).join('; ')} not found. ${RESTORE_HINT(pf.file)}`;
}

export async function planPatch(dir: string, action: 'install' | 'uninstall'): Promise<PiecePlan> {
  const plan = emptyPlan();
  for (const pf of PATCHED_FILES) {
    const original = await readText(dir, pf.file);
    const hunks = HUNKS.filter((h) => h.file === pf.file);
    if (original === undefined) {
      for (const h of hunks) {
        plan.reports.push({
          piece: 'patch',
          item: `${pf.file} ${h.id}`,
          state: action === 'install' ? 'refused' : 'absent',
          detail: `${pf.file} is missing${action === 'install' ? ': this does not look like a complete mailcow checkout' : ''}`,
        });
      }
      continue;
    }
    let text = splitText(original);
    if (action === 'install') {
      const sig = signatureProblem(pf, text);
      if (sig) {
        for (const h of hunks) plan.reports.push({ piece: 'patch', item: `${pf.file} ${h.id}`, state: 'refused', detail: sig });
        continue;
      }
    }
    for (const h of hunks) {
      const s = inspectHunk(text, pf.style, h);
      let state: PieceState;
      let detail = h.purpose;
      if (action === 'install') {
        switch (s.kind) {
          case 'applied':
            state = 'installed';
            break;
          case 'satisfied':
            state = 'satisfied';
            detail = `${h.purpose} (mailcow's code already does this)`;
            break;
          case 'pending':
            state = 'missing';
            text = applyHunk(text, pf.style, h, s.at);
            break;
          case 'outdated': {
            state = 'outdated';
            text = revertHunk(text, pf.style, h, s.begin, s.end);
            const again = inspectHunk(text, pf.style, h);
            if (again.kind === 'pending') text = applyHunk(text, pf.style, h, again.at);
            else {
              state = 'refused';
              detail = `${pf.file}: the block ${h.id} cannot be refreshed (${again.kind}). ${RESTORE_HINT(pf.file)}`;
            }
            break;
          }
          case 'drifted':
            state = 'refused';
            detail = `${pf.file} does not look like the mailcow version this patch expects (hook point ${h.hookPoint}, ${h.id}): ${s.reason}. Nothing was changed. ${RESTORE_HINT(pf.file)}`;
            break;
          case 'damaged':
            state = 'refused';
            detail = `${pf.file}: the mailcow-scim block ${h.id} is damaged (${s.reason}), probably by a merge in update.sh. ${RESTORE_HINT(pf.file)}`;
            break;
        }
      } else {
        switch (s.kind) {
          case 'applied':
          case 'outdated':
            state = 'installed';
            text = revertHunk(text, pf.style, h, s.begin, s.end);
            break;
          case 'damaged':
            state = 'refused';
            detail = `${pf.file}: the mailcow-scim block ${h.id} is damaged (${s.reason}); remove its lines by hand (they start with mailcow-scim:) or git checkout -- ${pf.file}`;
            break;
          default:
            state = 'absent';
        }
      }
      plan.reports.push({ piece: 'patch', item: `${pf.file} ${h.id}`, state, detail });
    }
    const updated = joinText(text);
    if (updated !== original) plan.ops.push({ kind: 'write', path: pf.file, content: updated, backup: true });
  }
  return plan;
}
