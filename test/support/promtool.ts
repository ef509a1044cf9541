import { spawn } from 'node:child_process';

/**
 * Runs Prometheus's own checker (`promtool`, Debian package `prometheus`, installed by .ci/run) on
 * `input`; resolves with its exit code and output. A missing promtool fails the test that needs it.
 */
export function promtool(args: string[], input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => reject(new Error(`promtool could not run (apt-get install prometheus): ${error.message}`)));
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
