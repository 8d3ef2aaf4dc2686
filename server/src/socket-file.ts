/**
 * Unix socket files: a stale file left by a crashed process is removed before bind, but a
 * socket some live process still answers on is never stolen.
 */
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';

async function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (answer: boolean) => {
      s.destroy();
      resolve(answer);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}

export async function prepareSocketPath(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let st;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await isAnswering(path)) throw new Error(`${path} is in use by another running process`);
  await unlink(path);
}

export async function setSocketMode(path: string, mode: number): Promise<void> {
  await chmod(path, mode);
}

export async function removeSocketFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
