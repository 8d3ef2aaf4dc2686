import { readFileSync } from 'node:fs';

interface PackageFacts {
  version?: string;
  config?: { image?: string };
}

/** package.json next to server/ or dist/ (a checkout, a build, or /app in the image). */
const PACKAGE: PackageFacts = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as PackageFacts;
    } catch {
      /* try the next location */
    }
  }
  return {};
})();

/** The package version, read once from package.json. */
export const VERSION: string = PACKAGE.version ?? '0.0.0';

/**
 * Where released images are pushed (package.json `config.image`, the one place this name lives:
 * the release workflow reads it too). Each release is tagged with its version.
 */
export const RELEASE_IMAGE_REPOSITORY: string = PACKAGE.config?.image ?? '';
