import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs `tickstream start` with `env` (and no JWT_SECRET from the outer environment). */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const base = { ...process.env };
  delete base.JWT_SECRET;
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: { ...base, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', DATA_DIR: 'memory', EXIT_WITH_PARENT: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
}

describe('a deployment split across processes', () => {
  it('refuses to start a gateway or api without JWT_SECRET: exit 2, saying why and what to do', async () => {
    for (const roles of ['gateway', 'api,alerts']) {
      const { code, stderr, stdout } = await start({ ROLES: roles });
      expect(code).toBe(2);
      expect(stderr).toContain('tickstream: invalid configuration');
      expect(stderr).toContain(`JWT_SECRET is not set, but ROLES=${roles} runs part of a deployment split across processes`);
      expect(stderr).toContain('Set JWT_SECRET to the same secret');
      // Refused before anything listened or logged a start.
      expect(stdout).not.toContain('tickstream started');
    }
  }, 60_000);
});
