/**
 * mailcow-scim's entries in docker-compose.override.yml (gitignored by mailcow, merged by docker
 * compose, kept by update.sh: docs/mailcow-facts.md §5.2). The admin's own entries are never
 * touched: we own the `mailcow-scim` service and the socket volume outright, and single list items
 * (a volume mount, an environment variable) in mailcow's nginx and php-fpm services.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isSeq, parse as parseYaml, parseDocument, type Document, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

type Plain = Record<string, unknown>;

/** What the rendered template asks for, split by ownership. */
export interface OverrideWanted {
  /** Services and top-level volumes we own entirely (service name → definition). */
  ownedServices: Record<string, unknown>;
  ownedVolumes: Record<string, unknown>;
  /** Items we add to services we do not own: service → key (volumes, environment) → items. */
  additions: Record<string, Record<string, string[]>>;
}

/** Splits the rendered deploy/compose/docker-compose.override.yml into what we own and what we add. */
export function wantedFromTemplate(rendered: string, ownServices: readonly string[]): OverrideWanted {
  const t = (parseYaml(rendered) ?? {}) as { services?: Plain; volumes?: Plain };
  const wanted: OverrideWanted = { ownedServices: {}, ownedVolumes: { ...(t.volumes ?? {}) }, additions: {} };
  for (const [name, def] of Object.entries(t.services ?? {})) {
    if (ownServices.includes(name)) {
      wanted.ownedServices[name] = def;
      continue;
    }
    const adds: Record<string, string[]> = {};
    for (const [key, value] of Object.entries((def ?? {}) as Plain)) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new Error(`compose template: ${name}.${key} must be a list of strings (we only add items to mailcow's services)`);
      }
      adds[key] = value as string[];
    }
    wanted.additions[name] = adds;
  }
  return wanted;
}

/** The target path of a short volume syntax `source:target[:mode]`. */
function mountTarget(item: string): string {
  return (item.split(':')[1] ?? '').replace(/\/+$/, '');
}

function envKey(item: string): string {
  return item.split('=')[0]!;
}

/** Whether `list` (a compose list or map) already holds `item`, and whether something conflicts. */
function findItem(key: string, container: unknown, item: string): { present: boolean; conflict?: string } {
  if (key === 'environment' && container && typeof container === 'object' && !Array.isArray(container)) {
    const [k, ...rest] = item.split('=');
    const v = (container as Plain)[k!];
    if (v === undefined) return { present: false };
    return String(v) === rest.join('=') ? { present: true } : { present: false, conflict: `${k} is already set to ${String(v)}` };
  }
  const items = Array.isArray(container) ? container.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
  if (items.includes(item)) return { present: true };
  if (key === 'volumes') {
    const other = items.find((x) => mountTarget(x) === mountTarget(item));
    if (other) return { present: false, conflict: `another volume (${other}) is mounted at ${mountTarget(item)}` };
  }
  if (key === 'environment') {
    const other = items.find((x) => envKey(x) === envKey(item));
    if (other) return { present: false, conflict: `${other} is already set` };
  }
  return { present: false };
}

export interface OverrideInspection {
  state: 'installed' | 'missing' | 'outdated';
  /** Conflicts with the admin's entries: install must refuse. */
  conflicts: string[];
  /** Which of our entries are present (for uninstall). */
  presentParts: string[];
}

export function inspectOverride(existing: string | undefined, wanted: OverrideWanted): OverrideInspection {
  const current = (existing ? parseYaml(existing) : undefined) ?? {};
  const services = ((current as Plain).services ?? {}) as Plain;
  const volumes = ((current as Plain).volumes ?? {}) as Plain;
  const conflicts: string[] = [];
  const present: string[] = [];
  let complete = true;
  for (const [name, def] of Object.entries(wanted.ownedServices)) {
    if (name in services) present.push(`services.${name}`);
    if (!isDeepStrictEqual(services[name], def)) complete = false;
  }
  for (const [name, def] of Object.entries(wanted.ownedVolumes)) {
    if (name in volumes) present.push(`volumes.${name}`);
    if (!isDeepStrictEqual(volumes[name] ?? null, def ?? null) || !(name in volumes)) complete = false;
  }
  for (const [service, keys] of Object.entries(wanted.additions)) {
    for (const [key, items] of Object.entries(keys)) {
      const container = ((services[service] ?? {}) as Plain)[key];
      for (const item of items) {
        const found = findItem(key, container, item);
        if (found.present) present.push(`services.${service}.${key}: ${item}`);
        else complete = false;
        if (found.conflict) conflicts.push(`docker-compose.override.yml: ${service}.${key}: ${found.conflict}`);
      }
    }
  }
  return { state: complete ? 'installed' : present.length ? 'outdated' : 'missing', conflicts, presentParts: present };
}

function detectIndent(text: string): number {
  const m = /^services:\s*\r?\n(?:\s*#.*\r?\n|\s*\r?\n)*([ ]+)\S/m.exec(text);
  return m ? Math.min(Math.max(m[1]!.length, 2), 8) : 2;
}

function ensureMap(doc: Document, path: (string | number)[]): YAMLMap {
  let node = doc.getIn(path, true);
  if (!isMap(node)) {
    doc.setIn(path, doc.createNode({}));
    node = doc.getIn(path, true);
  }
  return node as YAMLMap;
}

const OWNED_COMMENT = ' managed by `mailcow-scim install`: changes here are overwritten; --uninstall removes it';

/** The override text with our entries added (or replaced), everything else kept. */
export function mergeOverride(existing: string | undefined, wanted: OverrideWanted): string {
  const doc = parseDocument(existing ?? '');
  if (doc.errors.length) throw new Error(`docker-compose.override.yml is not valid YAML: ${doc.errors[0]!.message}`);
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new Error('docker-compose.override.yml must be a YAML mapping');
  const services = ensureMap(doc, ['services']);
  for (const [name, def] of Object.entries(wanted.ownedServices)) {
    const existingPair = services.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === name);
    if (existingPair) {
      existingPair.value = doc.createNode(def);
      continue;
    }
    const key = doc.createNode(name) as Scalar;
    key.commentBefore = OWNED_COMMENT;
    services.items.push(doc.createPair(key, def) as never);
  }
  for (const [service, keys] of Object.entries(wanted.additions)) {
    for (const [key, items] of Object.entries(keys)) {
      const path = ['services', service, key];
      const container = doc.getIn(path, true);
      if (isMap(container)) {
        for (const item of items) {
          const [k, ...rest] = item.split('=');
          container.set(k, rest.join('='));
        }
        continue;
      }
      if (!isSeq(container)) {
        ensureMap(doc, ['services', service]);
        doc.setIn(path, doc.createNode([]));
      }
      const seq = doc.getIn(path, true) as YAMLSeq;
      const have = seq.items.map((i) => String((i as { value?: unknown }).value ?? i));
      for (const item of items) if (!have.includes(item)) seq.add(doc.createNode(item));
    }
  }
  const volumes = ensureMap(doc, ['volumes']);
  for (const [name, def] of Object.entries(wanted.ownedVolumes)) volumes.set(name, doc.createNode(def ?? null));
  return doc.toString({ indent: detectIndent(existing ?? ''), lineWidth: 0, nullStr: '' });
}

function isEmptyNode(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && (node as YAMLMap | YAMLSeq).items.length === 0;
}

/**
 * The override without our entries, or undefined when nothing else is left in it (the file can
 * then go, if we created it).
 */
export function removeFromOverride(existing: string, wanted: OverrideWanted): string | undefined {
  const doc = parseDocument(existing);
  if (doc.errors.length) throw new Error(`docker-compose.override.yml is not valid YAML: ${doc.errors[0]!.message}`);
  for (const name of Object.keys(wanted.ownedServices)) doc.deleteIn(['services', name]);
  for (const name of Object.keys(wanted.ownedVolumes)) doc.deleteIn(['volumes', name]);
  for (const [service, keys] of Object.entries(wanted.additions)) {
    for (const [key, items] of Object.entries(keys)) {
      const path = ['services', service, key];
      const container = doc.getIn(path, true);
      if (isMap(container)) {
        for (const item of items) {
          const [k, ...rest] = item.split('=');
          if (String(container.get(k)) === rest.join('=')) container.delete(k);
        }
      } else if (isSeq(container)) {
        container.items = container.items.filter((i) => !items.includes(String((i as { value?: unknown }).value ?? i)));
      }
      if (isEmptyNode(doc.getIn(path, true))) doc.deleteIn(path);
    }
    if (isEmptyNode(doc.getIn(['services', service], true))) doc.deleteIn(['services', service]);
  }
  for (const top of ['services', 'volumes']) if (isEmptyNode(doc.getIn([top], true))) doc.deleteIn([top]);
  if (!isMap(doc.contents) || doc.contents.items.length === 0) return undefined;
  return doc.toString({ indent: detectIndent(existing), lineWidth: 0, nullStr: '' });
}
