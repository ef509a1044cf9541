import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue #10 item 10: Redis refused or silent at start used to hold the process forever, with no
 * HTTP port (and, when silent, no log line). Now the start fails within STARTUP_TIMEOUT_MS with
 * exit code 2 and a message naming REDIS_URL, never the password in it. runCli kills a process
 * still running after 20 s, so a hang shows up as a null exit code.
 */
let closedPort = 0;
let silent: Server;
const held = new Set<Socket>();

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  // Accepts and never answers, like a Redis that is stopped (SIGSTOP) or a black-holing proxy.
  silent = createServer((socket) => {
    held.add(socket);
    socket.resume(); // reads (and ignores) the HELLO, so the peer's close is seen
    socket.on('error', () => {});
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const env = { ROLES: 'processor,gateway,generator', EVENT_LOG: 'memory', DATA_DIR: 'memory', STARTUP_TIMEOUT_MS: '1500', EXIT_WITH_PARENT: 'true', JWT_SECRET: 'startup-timeout-test-secret-0123456789abcdef' };

it('Redis refusing connections: exit code 2 naming REDIS_URL', async () => {
  const { code, stderr } = await runCli(['start'], { ...env, REDIS_URL: `redis://admin:hunter2secret@127.0.0.1:${closedPort}` });
  expect(code).toBe(2);
  expect(stderr).toContain('REDIS_URL');
  expect(stderr).toContain(`127.0.0.1:${closedPort}`);
  expect(stderr).not.toContain('hunter2secret');
});

it('Redis accepting and never answering: exit code 2 within STARTUP_TIMEOUT_MS, naming REDIS_URL', async () => {
  const port = (silent.address() as { port: number }).port;
  const { code, stderr } = await runCli(['start'], { ...env, REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}` });
  expect(code).toBe(2);
  expect(stderr).toMatch(/REDIS_URL/);
  expect(stderr).toContain('STARTUP_TIMEOUT_MS');
  expect(stderr).not.toContain('hunter2secret');
  // The process went away with its connection: nothing held open.
  await waitFor(() => (held.size === 0 ? true : undefined), 'the silent server to see the connection close');
});
