/** The `mailcow-scim` command: dispatch to sub-commands, each with its own --help. */
import { describeCliFailure, failureJson } from './cli-error.js';
import { print, type CliCommand, type CliIo } from './io.js';

/**
 * The command modules and the paths each defines. Dispatch reads only the paths and imports the
 * one module that runs: `serve`, a long-lived process, then never holds the code of install,
 * doctor, adopt, import or token (the compose-file YAML parser among them) in its heap and code
 * space (bench/resting-memory.ts). Help lists every command, so it loads them all; a test holds
 * these paths to what the modules define.
 */
export const COMMAND_MODULES: { paths: string[][]; load(): Promise<CliCommand[]> }[] = [
  { paths: [['serve'], ['migrate'], ['demo']], load: async () => (await import('./server-commands.js')).serverCommands },
  {
    paths: [['token', 'create'], ['token', 'list'], ['token', 'show'], ['token', 'update'], ['token', 'rotate'], ['token', 'revoke']],
    load: async () => (await import('./token-commands.js')).tokenCommands,
  },
  { paths: [['adopt']], load: async () => [(await import('./adopt-command.js')).adoptCommand] },
  { paths: [['import', 'pr7148']], load: async () => [(await import('./import-command.js')).importCommand] },
  { paths: [['install'], ['doctor']], load: async () => (await import('./install-commands.js')).installCommands },
];

const ALL_PATHS = COMMAND_MODULES.flatMap((m) => m.paths);

/** Every command, in the order help lists them. */
export async function loadCommands(): Promise<CliCommand[]> {
  return (await Promise.all(COMMAND_MODULES.map((m) => m.load()))).flat();
}

function overview(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    'mailcow-scim: SCIM 2.0 provisioning for mailcow',
    '',
    'Usage: mailcow-scim COMMAND [options]    (mailcow-scim COMMAND --help for details)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function findCommand(argv: string[]): Promise<{ command?: CliCommand; rest: string[]; group?: string }> {
  let best: { path: string[]; module: (typeof COMMAND_MODULES)[number] } | undefined;
  for (const module of COMMAND_MODULES) {
    for (const path of module.paths) {
      if (path.every((w, i) => argv[i] === w) && (!best || path.length > best.path.length)) best = { path, module };
    }
  }
  if (best) {
    const key = best.path.join(' ');
    const command = (await best.module.load()).find((c) => c.path.join(' ') === key);
    if (!command) throw new Error(`the command module of "${key}" does not define it`);
    return { command, rest: argv.slice(best.path.length) };
  }
  const group = ALL_PATHS.find((p) => p.length > 1 && p[0] === argv[0]) ? argv[0] : undefined;
  return { rest: argv, group };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    print(io.stdout, overview(await loadCommands()));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    const { VERSION } = await import('../version.js');
    print(io.stdout, VERSION);
    return 0;
  }
  const { command, rest, group } = await findCommand(argv);
  if (!command) {
    if (group) {
      // `mailcow-scim token --help` is a request for help (stdout, 0); a bare or unknown
      // sub-command is a mistake (stderr, 2).
      const asked = argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h');
      const out = asked ? io.stdout : io.stderr;
      const subs = (await loadCommands()).filter((c) => c.path[0] === group);
      if (!asked && argv.length > 1) print(out, `Unknown command "${argv.join(' ')}".\n`);
      print(out, `Usage: mailcow-scim ${group} ${subs.map((c) => c.path[1]).join('|')} [options]    (mailcow-scim ${group} COMMAND --help for details)\n`);
      const width = Math.max(...subs.map((c) => c.path.join(' ').length));
      for (const c of subs) print(out, `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
      return asked ? 0 : 2;
    }
    print(io.stderr, `Unknown command "${argv.join(' ')}".\n\n${overview(await loadCommands())}`);
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
