/**
 * The files mailcow-scim ships into mailcow (deploy/ templates and the PHP bridge), found next to
 * the running code: in a source checkout (server/src/install/ → ../../..) or a build (dist/install/
 * → ../..), including the Docker image (/app).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstallAssets {
  /** The mailcow-scim checkout (or image) root: the build context of deploy/Dockerfile. */
  root: string;
  deployDir: string;
  /** php-bridge/src: copied to data/web/inc/mailcow-scim/. */
  bridgeDir: string;
}

/** Locates deploy/ and php-bridge/src from this module's own path. */
export function findInstallAssets(): InstallAssets {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../..', '../..', '..']) {
    const root = resolve(here, up);
    if (existsSync(join(root, 'deploy', 'nginx', 'site.scim.custom'))) {
      return { root, deployDir: join(root, 'deploy'), bridgeDir: join(root, 'php-bridge', 'src') };
    }
  }
  throw new Error(`deploy/ templates not found near ${here}; is this a complete mailcow-scim checkout or image?`);
}

/**
 * Fills `{{NAME}}` placeholders. Every placeholder must have a value and every value must be
 * used, so a template and its caller cannot drift apart silently.
 */
export function renderTemplate(template: string, values: Record<string, string>, name: string): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_m, key: string) => {
    if (!(key in values)) throw new Error(`template ${name}: no value for {{${key}}}`);
    used.add(key);
    return values[key]!;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`template ${name}: unused values ${unused.join(', ')}`);
  return out;
}
