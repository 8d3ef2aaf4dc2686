/** The `mailcow-scim` command: dispatch to sub-commands, each with its own --help. */
import { ConfigError } from '../config.js';
import { ScimError } from '../scim/index.js';
import { print, UsageError, type CliCommand, type CliIo } from './io.js';
import { serverCommands } from './server-commands.js';
import { tokenCommands } from './token-commands.js';
import { adoptCommand } from './adopt-command.js';
import { installCommands } from './install-commands.js';

export const COMMANDS: CliCommand[] = [...serverCommands, ...tokenCommands, adoptCommand, ...installCommands];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  return [
    'mailcow-scim: SCIM 2.0 provisioning for mailcow',
    '',
    'Usage: mailcow-scim COMMAND [options]    (mailcow-scim COMMAND --help for details)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

function findCommand(argv: string[]): { command?: CliCommand; rest: string[]; group?: string } {
  let best: CliCommand | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (best) return { command: best, rest: argv.slice(best.path.length) };
  const group = COMMANDS.find((c) => c.path.length > 1 && c.path[0] === argv[0]) ? argv[0] : undefined;
  return { rest: argv, group };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    print(io.stdout, overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    const { VERSION } = await import('../version.js');
    print(io.stdout, VERSION);
    return 0;
  }
  const { command, rest, group } = findCommand(argv);
  if (!command) {
    if (group) {
      const subs = COMMANDS.filter((c) => c.path[0] === group);
      print(io.stderr, `Usage: mailcow-scim ${group} ${subs.map((c) => c.path[1]).join('|')} [options]`);
      for (const c of subs) print(io.stderr, `  ${c.path.join(' ')}  ${c.summary}`);
      return argv.includes('--help') ? 0 : 2;
    }
    print(io.stderr, `Unknown command "${argv.join(' ')}".\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    print(io.stdout, `${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      print(io.stderr, `mailcow-scim ${command.path.join(' ')}: ${(e as Error).message}\n\nUsage: ${command.usage}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      print(io.stderr, e.message);
      return 2;
    }
    if (e instanceof ScimError) {
      print(io.stderr, `mailcow-scim ${command.path.join(' ')}: ${e.detail}`);
      return 1;
    }
    print(io.stderr, `mailcow-scim ${command.path.join(' ')}: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}
