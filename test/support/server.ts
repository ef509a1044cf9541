import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface RunningServer {
  readonly process: ChildProcess;
  readonly port: number;
  readonly http: string;
  readonly ws: string;
  readonly logs: LogLine[];
  readonly stderr: string[];
  /** Sends the signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts the real CLI (`node dist/cli.js start`) on a free port and waits for its start line. */
export function startServer(env: Record<string, string> = {}, args: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [CLI, 'start', ...args], {
    // DATA_DIR=memory: test processes never share (or leave behind) the embedded database's files.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', SEED: '42', DATA_DIR: 'memory', EXIT_WITH_PARENT: 'true',
      // Processes of one test share it, as a deployment's must (split roles are refused without one).
      JWT_SECRET: 'test-secret-shared-by-the-processes-of-a-test',
      // Suites register and log in many users from 127.0.0.1: the production budgets (10
      // registrations an hour) would refuse them. Tests of the limits set their own.
      AUTH_REGISTRATIONS_PER_IP: '100000', AUTH_LOGIN_ATTEMPTS_PER_IP: '100000', AUTH_LOGIN_ATTEMPTS_PER_USER: '100000',
      // 2^14 instead of 2^17: hashing is a quarter second of two shared cores at production cost.
      // The format carries the cost, and test/e2e/auth-limits.test.ts checks production's.
      PASSWORD_SCRYPT_COST: '14',
      ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time; stderr: ${stderr.join('\n')}`)), 60_000);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before starting; stderr: ${stderr.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: LogLine;
      try {
        entry = JSON.parse(line) as LogLine;
      } catch {
        stderr.push(line);
        return;
      }
      logs.push(entry);
      if (entry.msg === 'tickstream started') {
        clearTimeout(timer);
        // Roles without HTTP (generator, processor) have no url: port 0.
        const port = entry.url === undefined ? 0 : Number(new URL(String(entry.url)).port);
        resolve({
          process: child,
          port,
          http: `http://127.0.0.1:${port}`,
          ws: `ws://127.0.0.1:${port}/ws`,
          logs,
          stderr,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

/** Runs the CLI to completion (for commands and configurations that must fail fast). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PORT: '0', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Reads one counter or gauge (summed over labels matching `labels`) from `/metrics`. */
export async function metric(server: RunningServer, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${server.http}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{[^}]*\})?\s+([-\d.e+]+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}
