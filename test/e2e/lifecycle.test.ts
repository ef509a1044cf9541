import { describe, expect, it } from 'vitest';
import { runCli, startServer } from '../support/server.js';
import { TestClient } from '../support/ws-client.js';

describe('process lifecycle', () => {
  it('SIGTERM: clients get 1001, the process drains and exits 0', async () => {
    const server = await startServer({ TICK_RATE: '500' });
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.ws)));
    await Promise.all(clients.map((c) => c.waitForTicks(5)));
    const exit = await server.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    for (const c of clients) expect(await c.waitForClose()).toEqual({ code: 1001, reason: 'GOING_AWAY' });
    const messages = server.logs.map((l) => l.msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('stopped');
  });

  it('heartbeat: a peer that stops answering pings is dropped, one that answers stays', async () => {
    const server = await startServer({ WS_HEARTBEAT_MS: '200' });
    const dead = await TestClient.connect(server.ws, { autoPong: false });
    const alive = await TestClient.connect(`${server.ws}?symbols=`);
    const closed = await dead.waitForClose(5_000);
    expect(closed.code).toBe(1006);
    expect(alive.closed).toBeUndefined();
    alive.close();
    await server.stop();
  });

  it('SIGINT behaves the same', async () => {
    const server = await startServer();
    expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('logs one start line with the effective configuration, without secrets', async () => {
    const secret = 'lifecycle-secret-that-must-not-be-logged-0123456789';
    const server = await startServer({ TICK_RATE: '7', JWT_SECRET: secret, FINNHUB_API_KEY: secret });
    const start = server.logs.find((l) => l.msg === 'tickstream started')!;
    expect(start.config).toMatchObject({ tickRate: 7, eventLog: 'memory', jwtSecret: '[redacted]', finnhubApiKey: '[redacted]' });
    expect(JSON.stringify(server.logs)).not.toContain(secret);
    expect(start.roles).toEqual(['generator', 'processor', 'gateway', 'api', 'alerts', 'orders', 'analytics']);
    await server.stop();
  });

  it('invalid configuration stops the start with a message naming each bad key and what is allowed', async () => {
    const { code, stderr } = await runCli(['start'], { TICK_RATE: 'fast', WS_ALLOWED_ORIGINS: 'x', PORT: '99999', LOG_LEVEL: 'loud' });
    expect(code).toBe(2);
    expect(stderr).toContain('TICK_RATE="fast" is not allowed: expected a number from');
    expect(stderr).toContain('PORT="99999" is not allowed: expected an integer from 0 to 65535');
    expect(stderr).toContain('LOG_LEVEL="loud" is not allowed: expected one of trace');
  });

  it('a role set that cannot work on in-process adapters is refused with the reason', async () => {
    const { code, stderr } = await runCli(['start', '--roles', 'gateway'], { JWT_SECRET: 'lifecycle-test-secret-0123456789abcdefghij' });
    expect(code).toBe(2);
    expect(stderr).toContain('gateway without processor');
  });

  it('`tickstream config` prints the configuration table', async () => {
    const { code, stdout } = await runCli(['config']);
    expect(code).toBe(0);
    expect(stdout).toContain('| `TICK_RATE` |');
  });
});
