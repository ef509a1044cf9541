import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';

/**
 * Issue #10 item 4: a server whose stdout reader died (its parent killed, as a crashed test
 * harness leaves it) retried the broken pipe forever in the logger's flush on exit, never exited,
 * and could not take SIGTERM. Its parent here is a small node process that reads the server's
 * stdout until it started, then is SIGKILLed; EXIT_WITH_PARENT makes the server shut down, and it
 * must be gone within SHUTDOWN_TIMEOUT_MS (plus start-up slack of the shared machine).
 */
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const SHUTDOWN_TIMEOUT_MS = 3_000;

const parentScript = `
const { spawn } = require('node:child_process');
const server = spawn(process.execPath, [${JSON.stringify(CLI)}, 'start'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'debug', DATA_DIR: 'memory', EXIT_WITH_PARENT: 'true', SHUTDOWN_TIMEOUT_MS: '${SHUTDOWN_TIMEOUT_MS}' },
  stdio: ['ignore', 'pipe', 'ignore'],
});
let text = '';
server.stdout.on('data', (d) => { text += d; if (text.includes('tickstream started')) { console.log(server.pid); text = ''; } });
`;

/** Running (a zombie waiting to be reaped has exited). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

it('a server whose stdout reader was killed shuts down within SHUTDOWN_TIMEOUT_MS', async () => {
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  let serverPid: number | undefined;
  try {
    serverPid = await new Promise<number>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', (line) => resolve(Number(line)));
      parent.once('exit', () => reject(new Error('the parent exited before the server started')));
    });
    expect(running(serverPid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !running(serverPid!), 'the orphaned server to exit', SHUTDOWN_TIMEOUT_MS + 10_000, 100);
  } finally {
    parent.kill('SIGKILL');
    if (serverPid !== undefined && running(serverPid)) process.kill(serverPid, 'SIGKILL');
  }
}, 90_000);
