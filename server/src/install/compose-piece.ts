/** The docker-compose.override.yml piece: deploy/compose/docker-compose.override.yml, merged. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderTemplate, type InstallAssets } from './assets.js';
import { inspectOverride, mergeOverride, removeFromOverride, wantedFromTemplate, type OverrideWanted } from './compose-override.js';
import { describeChoice, type ImageChoice } from './image-choice.js';
import { COMPOSE_NAMES, MAILCOW_FILES } from './layout.js';
import { readText } from './mailcow-dir.js';
import { emptyPlan, type PiecePlan } from './plan.js';

export type { ImageChoice } from './image-choice.js';

export async function wantedOverride(assets: InstallAssets, choice: ImageChoice): Promise<OverrideWanted> {
  const template = await readFile(join(assets.deployDir, 'compose', 'docker-compose.override.yml'), 'utf8');
  const rendered = renderTemplate(template, { IMAGE: choice.image, BUILD_CONTEXT: choice.buildContext ?? '' }, 'docker-compose.override.yml');
  const wanted = wantedFromTemplate(rendered, [COMPOSE_NAMES.service]);
  if (choice.source !== 'build') {
    // A pulled image: no build section, so `docker compose up -d` and update.sh never build it.
    const service = wanted.ownedServices[COMPOSE_NAMES.service] as Record<string, unknown>;
    delete service.build;
    delete service.pull_policy;
  }
  return wanted;
}

const NEW_FILE_HEADER = [
  '# docker-compose.override.yml: merged by docker compose into mailcow\'s docker-compose.yml.',
  '# Created by `mailcow-scim install`; add your own entries freely, --uninstall removes only ours.',
  '',
].join('\n');

export async function planCompose(dir: string, assets: InstallAssets, choice: ImageChoice, action: 'install' | 'uninstall', createdByUs: boolean): Promise<PiecePlan> {
  const plan = emptyPlan();
  const rel = MAILCOW_FILES.override;
  const current = await readText(dir, rel);
  const wanted = await wantedOverride(assets, choice);
  let inspection;
  try {
    inspection = inspectOverride(current, wanted);
  } catch (e) {
    plan.reports.push({ piece: 'compose', item: rel, state: 'refused', detail: `${rel} is not valid YAML (${(e as Error).message}); fix it first` });
    return plan;
  }
  if (action === 'uninstall') {
    const present = inspection.presentParts.length > 0;
    plan.reports.push({ piece: 'compose', item: rel, state: present ? 'installed' : 'absent', detail: `the ${COMPOSE_NAMES.service} service and its socket volume` });
    if (!present) return plan;
    const rest = removeFromOverride(current!, wanted);
    if (rest === undefined && createdByUs) plan.ops.push({ kind: 'delete', path: rel, backup: true });
    else plan.ops.push({ kind: 'write', path: rel, content: rest ?? '{}\n', backup: true });
    return plan;
  }
  if (inspection.conflicts.length) {
    plan.reports.push({ piece: 'compose', item: rel, state: 'refused', detail: inspection.conflicts.join('; ') });
    return plan;
  }
  const how = describeChoice(choice);
  plan.reports.push({
    piece: 'compose',
    item: rel,
    state: inspection.state,
    detail: `service ${COMPOSE_NAMES.service} (${how}), socket volume shared with nginx-mailcow and php-fpm-mailcow`,
  });
  if (inspection.state === 'installed') return plan;
  const content = current === undefined ? NEW_FILE_HEADER + mergeOverride(undefined, wanted) : mergeOverride(current, wanted);
  plan.ops.push({ kind: 'write', path: rel, content, backup: current !== undefined });
  if (current === undefined) plan.created.push(rel);
  return plan;
}
