/**
 * `mailcow-scim serve` is a long-lived process: it must not load the code of the other commands
 * (install, doctor, adopt, import, token and the YAML parser the compose files need), which V8
 * would keep in its heap and code space for as long as the sidecar runs. Checked on the real
 * binary (over dist/, as the image runs it) by a module hook that lists every module loaded.
 * Nor Node's bundled undici (fetch, WebSocket), which an ESM import of node:http pulls in
 * (server/src/node-http.ts).
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { CLI_BIN } from '../../helpers/cli-binary.js';

const HOOK = `
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify([...loaded, ...process.moduleLoadList.map((m) => 'internal:' + m)]) + '\\n'));
`;

/** The modules `mailcow-scim ARGS` loads, by URL. */
function modulesLoadedBy(args: string[]): Promise<{ code: number | null; loaded: string[] }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(HOOK)}`, CLI_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', fail);
    child.on('close', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('LOADED '));
      if (!line) return fail(new Error(`no module list (exit ${code}): ${stderr}`));
      done({ code, loaded: JSON.parse(line.slice('LOADED '.length)) as string[] });
    });
  });
}

const OTHER_COMMANDS = [/^internal:.*undici/, /\/cli\/(install-commands|token-commands|adopt-command|import-command)\.js$/, /\/install\//, /\/imports\//, /\/node_modules\/yaml\//];
const othersIn = (loaded: string[]) => loaded.filter((url) => OTHER_COMMANDS.some((re) => re.test(url)));

it("serve's module graph holds only the serve command's code", async () => {
  // `serve --help` loads what `serve` loads (its module and everything that imports statically).
  const serve = await modulesLoadedBy(['serve', '--help']);
  expect(serve.code).toBe(0);
  expect(serve.loaded.some((url) => url.endsWith('/main.js'))).toBe(true);
  expect(othersIn(serve.loaded)).toEqual([]);
});

it('the overview still loads every command (so the check above can see them)', async () => {
  const help = await modulesLoadedBy(['--help']);
  expect(help.code).toBe(0);
  expect(othersIn(help.loaded)).toEqual(expect.arrayContaining([expect.stringMatching(/install-commands\.js$/), expect.stringMatching(/\/node_modules\/yaml\//)]));
});
