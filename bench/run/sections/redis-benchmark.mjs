// @ts-check
import { spawnSync } from 'node:child_process';

/**
 * `redis-benchmark -q -n 100000 -t set,xadd -P 16` against DB 15. redis-benchmark 7.0 has no
 * built-in xadd test (it silently runs SET only), so XADD then runs as a custom command on a key of
 * our own. The keys written are deleted afterwards.
 * @returns {{ note: string, commands?: undefined, lines?: undefined } | { note?: undefined, commands: string[], lines: string[] }}
 */
export function redisBenchmark() {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) return { note: 'redis-benchmark is not installed: skipped' };
  if (spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { timeout: 3000 }).stdout?.toString().trim() !== 'PONG') {
    return { note: 'no Redis on 127.0.0.1:6379: skipped' };
  }
  const base = ['-h', '127.0.0.1', '-p', '6379', '--dbnum', '15', '-q', '-n', '100000', '-P', '16'];
  const key = `bench-redis-benchmark:${process.pid}`;
  const commands = [[...base, '-t', 'set,xadd']];
  /** @type {string[]} */
  const lines = [];
  const read = (/** @type {string[]} */ args) => {
    const run = spawnSync('redis-benchmark', args, { timeout: 60_000, encoding: 'utf8' });
    return (run.stdout ?? '')
      .split(/[\r\n]/)
      .map((l) => l.trim())
      .filter((l) => /requests per second/.test(l))
      .map((l) => l.replace(/^XADD .*?: (\d)/, 'XADD (custom command): $1'));
  };
  lines.push(...read(commands[0]));
  if (!lines.some((l) => /^XADD/i.test(l))) {
    commands.push([...base, 'XADD', key, 'MAXLEN', '~', '100000', '*', 'key', 'SYM000', 'value', '{"symbol":"SYM000","price":101.25,"size":100,"ts":1700000000000,"seq":1,"source":"sim"}']);
    lines.push(...read(commands[1]));
  }
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', '-n', '15', 'del', 'key:__rand_int__', 'mystream', key], { timeout: 5000 });
  return { commands: commands.map((c) => `redis-benchmark ${c.map((a) => (/[\s{}"*~]/.test(a) ? `'${a}'` : a)).join(' ')}`), lines };
}
