/** The `mailcow-scim` command: dispatch to sub-commands, each with its own --help. */
import { describeCliFailure, failureJson } from './cli-error.js';
import { print, type CliCommand, type CliIo } from './io.js';
import { serverCommands } from './server-commands.js';
import { tokenCommands } from './token-commands.js';
import { adoptCommand } from './adopt-command.js';
import { installCommands } from './install-commands.js';
import { importCommand } from './import-command.js';

export const COMMANDS: CliCommand[] = [...serverCommands, ...tokenCommands, adoptCommand, importCommand, ...installCommands];

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
      // `mailcow-scim token --help` is a request for help (stdout, 0); a bare or unknown
      // sub-command is a mistake (stderr, 2).
      const asked = argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h');
      const out = asked ? io.stdout : io.stderr;
      const subs = COMMANDS.filter((c) => c.path[0] === group);
      if (!asked && argv.length > 1) print(out, `Unknown command "${argv.join(' ')}".\n`);
      print(out, `Usage: mailcow-scim ${group} ${subs.map((c) => c.path[1]).join('|')} [options]    (mailcow-scim ${group} COMMAND --help for details)\n`);
      const width = Math.max(...subs.map((c) => c.path.join(' ').length));
      for (const c of subs) print(out, `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
      return asked ? 0 : 2;
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
    const failure = describeCliFailure(e);
    if (rest.includes('--json')) {
      print(io.stdout, failureJson(failure));
      return failure.exitCode;
    }
    const name = `mailcow-scim ${command.path.join(' ')}`;
    if (failure.code === 'usage') print(io.stderr, `${name}: ${failure.message}\n\nUsage: ${command.usage}`);
    else if (failure.code === 'config') print(io.stderr, failure.message);
    else print(io.stderr, `${name}: ${failure.message}`);
    return failure.exitCode;
  }
}
