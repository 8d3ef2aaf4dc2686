#!/usr/bin/env node
// Entry point of the `mailcow-scim` command; the TypeScript build lives in dist/.
import { runCli } from '../dist/cli/cli.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
