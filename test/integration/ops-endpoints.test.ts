import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, uniquePrefix } from '../support/redis.js';
import { promtool } from '../support/promtool.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue #17: every process serves /health, /ready and /metrics on its port whatever its roles,
 * its metrics pass `promtool check metrics`, and each exports its own role's counters only.
 * One role per process over the real Redis on 127.0.0.1.
 */
const prefix = uniquePrefix('ops');
const common = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', SYMBOLS: 'AAPL,MSFT', TICK_RATE: '50' };
const ROLES = ['generator', 'processor', 'gateway', 'api', 'alerts'] as const;
const servers = new Map<string, RunningServer>();

/** A metric each role must export, and one of another role it must not. */
const OWN: Record<(typeof ROLES)[number], { has: string; lacks: string }> = {
  generator: { has: 'tickstream_ticks_generated_total', lacks: 'tickstream_ticks_processed_total' },
  processor: { has: 'tickstream_ticks_processed_total', lacks: 'tickstream_ws_connections' },
  gateway: { has: 'tickstream_ws_connections', lacks: 'tickstream_ticks_processed_total' },
  api: { has: 'tickstream_logins_total', lacks: 'tickstream_ticks_generated_total' },
  alerts: { has: 'tickstream_alerts_fired_total', lacks: 'tickstream_ws_frames_sent_total' },
};

beforeAll(async () => {
  await Promise.all(ROLES.map(async (role) => servers.set(role, await startServer({ ...common, ROLES: role }))));
}, 120_000);

afterAll(async () => {
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await deletePrefix(prefix);
});

const series = (text: string): Set<string> => new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][\w:]*/.exec(l)![0]));

describe.each(ROLES)('a process running only %s', (role) => {
  it('listens and answers /health and /ready', async () => {
    const server = servers.get(role)!;
    expect(server.port).toBeGreaterThan(0);
    expect((await fetch(`${server.http}/health`)).status).toBe(200);
    const ready = await waitFor(async () => {
      const response = await fetch(`${server.http}/ready`);
      return response.status === 200 ? ((await response.json()) as { checks: Record<string, string> }) : undefined;
    }, `${role} to be ready`, 30_000, 200);
    expect(ready.checks.process).toBe('ok');
  });

  it('serves /metrics that promtool accepts, with standard process metrics, build info and its own counters only', async () => {
    const server = servers.get(role)!;
    const response = await fetch(`${server.http}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const check = await promtool(['check', 'metrics'], text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    const names = series(text);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'tickstream_build_info']) {
      expect(names, name).toContain(name);
    }
    expect([...names].filter((n) => n.startsWith('tickstream_process_'))).toEqual([]);
    expect(text).toMatch(/^tickstream_build_info\{version="\d+\.\d+\.\d+[^"]*",commit="[^"]+",node="v\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toContain(`tickstream_role_info{role="${role}"} 1`);
    expect(names).toContain(OWN[role].has);
    expect(names).not.toContain(OWN[role].lacks);
  });
});

describe('what operators alert on', () => {
  const scrape = async (role: string): Promise<string> => (await fetch(`${servers.get(role)!.http}/metrics`)).text();

  it.each(ROLES)('%s says at each scrape what /ready says: tickstream_ready and one tickstream_ready_check per check', async (role) => {
    const text = await waitFor(async () => {
      const t = await scrape(role);
      return /^tickstream_ready 1$/m.test(t) ? t : undefined;
    }, `${role}: tickstream_ready 1`, 30_000, 200);
    const checks = (await (await fetch(`${servers.get(role)!.http}/ready`)).json()) as { checks: Record<string, string> };
    for (const check of Object.keys(checks.checks)) expect(text).toContain(`tickstream_ready_check{check="${check}"} 1`);
  });

  it.each(['processor', 'alerts'])('%s reports the lag of its consumer group per partition', async (group) => {
    const text = await waitFor(async () => {
      const t = await scrape(group);
      return t.includes(`tickstream_eventlog_consumer_lag{group="${group}",partition="0"}`) ? t : undefined;
    }, `the ${group} group's lag`, 30_000, 200);
    expect(text).toMatch(new RegExp(`^tickstream_eventlog_consumer_lag\\{group="${group}",partition="0"\\} \\d+$`, 'm'));
    // Only its own group: the others' lag is reported by their own processes.
    expect(text).not.toMatch(new RegExp(`^tickstream_eventlog_consumer_lag\\{group="(?!${group}")`, 'm'));
  });

  it('the generator counts the records it appends, and no failed append', async () => {
    const text = await waitFor(async () => {
      const t = await scrape('generator');
      return /^tickstream_eventlog_records_appended_total [1-9]/m.test(t) ? t : undefined;
    }, 'appended records', 30_000, 200);
    expect(text).toMatch(/^tickstream_eventlog_append_failures_total 0$/m);
  });
});

describe('the pipeline across processes', () => {
  it('counts where the work happens: ticks generated in one process are processed in another', async () => {
    const total = async (role: string, name: string): Promise<number> => {
      const text = await (await fetch(`${servers.get(role)!.http}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    await waitFor(async () => (await total('processor', 'tickstream_ticks_processed_total')) > 0, 'the processor to count ticks', 30_000, 200);
    expect(await total('generator', 'tickstream_ticks_generated_total')).toBeGreaterThan(0);
  });

  it('records HTTP request durations by route pattern and status', async () => {
    const api = servers.get('api')!;
    expect((await fetch(`${api.http}/price/AAPL`)).status).toBeLessThan(500);
    expect((await fetch(`${api.http}/no/such/route`, { method: 'POST' })).status).toBe(404);
    const text = await (await fetch(`${api.http}/metrics`)).text();
    expect(text).toMatch(/^tickstream_http_request_duration_seconds_count\{method="GET",route="\/price\/:symbol",status="\d+"\} [1-9]/m);
    expect(text).toMatch(/^tickstream_http_request_duration_seconds_count\{method="POST",route="unmatched",status="404"\} [1-9]/m);
  });
});
