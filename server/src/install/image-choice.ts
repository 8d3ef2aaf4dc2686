/**
 * Which image the compose override runs. Three sources, one remembered in install.json:
 *   release  the released image of the installer's own version (the default): running the
 *            install of version X from image X writes X, so upgrading and rolling back are both
 *            "run install from the image you want";
 *   image    a reference the admin gave (--image), kept until another choice is made;
 *   build    built from a mailcow-scim checkout (--build, --build-context): `pull_policy: build`.
 * With release and image the service has no build section, so neither `docker compose up -d`
 * nor mailcow's update.sh (down, pull, up) ever rebuilds it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_IMAGE } from './layout.js';

export type ImageSource = 'release' | 'image' | 'build';

export interface ImageChoice {
  source: ImageSource;
  /** The image the service runs. */
  image: string;
  /** Build it from this mailcow-scim checkout (only for source 'build'). */
  buildContext?: string;
}

export interface ImageRequest {
  /** --image REF */
  image?: string;
  /** --build (from buildContext, else from the checkout this code runs from) */
  build?: boolean;
  /** --build-context DIR (implies --build) */
  buildContext?: string;
  /** --release: back to the released image after a remembered --image or --build */
  release?: boolean;
}

/** What an earlier install remembered (install.json); older manifests have no `imageSource`. */
export interface RememberedImage {
  image?: string;
  imageSource?: ImageSource;
  buildContext?: string;
}

export interface ImageFacts {
  /** package.json's config.image, e.g. ghcr.io/mailcow-scim/mailcow-scim */
  repository: string;
  /** The installer's own version: the release tag it installs. */
  version: string;
  /** The root of the code running the installer: a checkout, or /app in the image. */
  codeRoot: string;
}

export function releaseImage(facts: Pick<ImageFacts, 'repository' | 'version'>): string {
  return `${facts.repository}:${facts.version}`;
}

/** A directory deploy/Dockerfile can be built from (the image's /app is not one: no sources). */
export function isBuildContext(dir: string): boolean {
  return ['deploy/Dockerfile', 'package-lock.json', 'server/src'].every((p) => existsSync(join(dir, p)));
}

/** The choice of this run, or why there is none. Pure but for the checkout test of --build. */
export function chooseImage(request: ImageRequest, remembered: RememberedImage | undefined, facts: ImageFacts): { choice?: ImageChoice; problem?: string } {
  const build = request.build || request.buildContext !== undefined;
  const asked = [request.image !== undefined && '--image', build && '--build', request.release && '--release'].filter(Boolean);
  if (asked.length > 1) return { problem: `${asked.join(' and ')} exclude each other` };
  if (request.image !== undefined) {
    if (!/^\S+$/.test(request.image)) return { problem: `--image ${JSON.stringify(request.image)} is not an image reference` };
    return { choice: { source: 'image', image: request.image } };
  }
  if (build) return fromCheckout(request.buildContext, facts);
  if (!request.release && remembered) {
    const source = remembered.imageSource ?? (remembered.buildContext ? 'build' : remembered.image && remembered.image !== LOCAL_IMAGE ? 'image' : undefined);
    if (source === 'build') return fromCheckout(remembered.buildContext, facts);
    if (source === 'image' && remembered.image) return { choice: { source: 'image', image: remembered.image } };
  }
  if (!facts.repository) return { problem: 'this build has no released image name (package.json config.image); use --image REF or --build' };
  return { choice: { source: 'release', image: releaseImage(facts) } };
}

function fromCheckout(dir: string | undefined, facts: ImageFacts): { choice?: ImageChoice; problem?: string } {
  // An explicit directory may be a path on the Docker host that this process cannot see (install
  // running in the image, with only the mailcow directory mounted): it is taken as given.
  if (dir) return { choice: { source: 'build', image: LOCAL_IMAGE, buildContext: dir } };
  if (!isBuildContext(facts.codeRoot)) {
    return { problem: `--build needs a mailcow-scim checkout to build from, and ${facts.codeRoot} is not one (the image holds no sources): give --build-context DIR, a checkout on the Docker host` };
  }
  return { choice: { source: 'build', image: LOCAL_IMAGE, buildContext: facts.codeRoot } };
}

/** How the report names the choice. */
export function describeChoice(choice: ImageChoice): string {
  if (choice.source === 'build') return `built from ${choice.buildContext}`;
  return `${choice.source === 'release' ? 'released image' : 'image'} ${choice.image}`;
}
