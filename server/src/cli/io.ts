import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** For `--from -`; absent in tests that do not feed one. */
  stdin?: Readable;
  env: Record<string, string | undefined>;
}

export interface CliCommand {
  /** Words after `mailcow-scim`, e.g. ['token', 'create']. */
  path: string[];
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Raised for bad command-line input: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export function print(stream: Writable, text = ''): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
