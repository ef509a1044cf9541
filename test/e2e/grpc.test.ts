import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startServer, type RunningServer } from '../support/server.js';
import { sleep, waitFor } from '../support/wait.js';
import { bearer, call, codeOf, failure, freePort, grpc, grpcClients, type Client, type GrpcClients } from '../support/grpc-client.js';

/**
 * gRPC end to end on the real CLI (GRPC_PORT), with clients loaded from the repository's .proto
 * files: every MarketData and Alerts method, the stream rules of the WebSocket (snapshot, then
 * every seq once; resume with since and epoch), authorization from bearer metadata, stable error
 * codes as gRPC statuses, limits, health checking, reflection, a slow stream, and shutdown.
 */
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA'];
const SECRET = 'e2e-grpc-jwt-secret-0123456789abcdef';
let server: RunningServer;
let clients: GrpcClients;
let alice: { id: number; token: string };
let bob: { id: number; token: string };
const streams: grpc.ClientReadableStream<unknown>[] = [];

interface TickMsg {
  symbol: string;
  price: number;
  size: number;
  seq: number;
  ts: number;
  timestamp: string;
  epoch: string;
}
interface SubscribedMsg {
  symbols: string[];
  epoch: string;
  recovered: Record<string, boolean>;
  unknown_symbols: string[];
}
type StreamMsg = { event: 'subscribed'; subscribed: SubscribedMsg } | { event: 'tick'; tick: TickMsg };

/** A StreamTicks call that records what it received and how it ended. */
class TickReader {
  readonly messages: StreamMsg[] = [];
  ended: grpc.ServiceError | undefined;
  readonly call: grpc.ClientReadableStream<StreamMsg>;

  constructor(client: Client, request: object, metadata = new grpc.Metadata()) {
    this.call = client.StreamTicks!(request, metadata) as grpc.ClientReadableStream<StreamMsg>;
    streams.push(this.call);
    this.call.on('data', (m: StreamMsg) => this.messages.push(m));
    this.call.on('error', (e: grpc.ServiceError) => (this.ended = e));
  }

  get subscribed(): SubscribedMsg | undefined {
    const first = this.messages[0];
    return first?.event === 'subscribed' ? first.subscribed : undefined;
  }

  ticks(symbol?: string): TickMsg[] {
    return this.messages.flatMap((m) => (m.event === 'tick' && (symbol === undefined || m.tick.symbol === symbol) ? [m.tick] : []));
  }

  async waitForEnd(what: string, timeoutMs = 30_000): Promise<grpc.ServiceError> {
    return waitFor(() => this.ended, what, timeoutMs);
  }
}

function gaps(ticks: readonly TickMsg[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < ticks.length; i++) if (ticks[i]!.seq !== ticks[i - 1]!.seq + 1) problems.push(`${ticks[i]!.symbol}: ${ticks[i - 1]!.seq} → ${ticks[i]!.seq}`);
  return problems;
}

async function register(username: string): Promise<{ id: number; token: string }> {
  const res = await fetch(`${server.http}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'password-123' }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { user: { id: number }; token: string };
  return { id: body.user.id, token: body.token };
}

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({
    GRPC_PORT: String(port),
    SYMBOLS: SYMBOLS.join(','),
    // A fast stream (~1000 ticks/s per symbol) and a history long enough to resume from.
    TICK_RATE: '3000',
    HISTORY_LIMIT: '5000',
    WS_MAX_SYMBOLS: '2',
    WS_SLOW_CLOSE_MS: '2000',
    ALERTS_MAX_PER_USER: '3',
    JWT_SECRET: SECRET,
    ALERTS_REFRESH_MS: '200',
  });
  expect(server.logs.find((l) => l.msg === 'gRPC listening')).toMatchObject({ port });
  clients = grpcClients(`127.0.0.1:${port}`);
  // The embedded database opens in the background; health checking says when everything answers.
  await waitFor(async () => (await call<{ status: string }>(clients.health, 'Check', { service: '' }).catch(() => ({ status: 'down' }))).status === 'SERVING', 'health SERVING', 110_000, 200);
  alice = await register('alice');
  bob = await register('bob');
});

afterAll(async () => {
  for (const s of streams) s.cancel();
  clients?.close();
  await server?.stop();
});

describe('health checking and reflection', () => {
  it('grpc.health.v1.Health answers SERVING for the server and each tickstream service, NOT_FOUND for others', async () => {
    for (const service of ['', 'tickstream.v1.MarketData', 'tickstream.v1.Alerts']) {
      expect(await call(clients.health, 'Check', { service })).toEqual({ status: 'SERVING' });
    }
    const unknown = await failure(call(clients.health, 'Check', { service: 'no.such.Service' }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
  });

  it('server reflection lists the services and describes them from the repository protos', async () => {
    const stream = clients.reflection.ServerReflectionInfo!() as grpc.ClientDuplexStream<object, Record<string, unknown>>;
    const replies: Record<string, unknown>[] = [];
    stream.on('data', (m: Record<string, unknown>) => replies.push(m));
    stream.on('error', () => undefined);
    stream.write({ list_services: '' });
    stream.write({ file_containing_symbol: 'tickstream.v1.MarketData' });
    stream.write({ file_containing_symbol: 'tickstream.v1.Alerts' });
    await waitFor(() => replies.length === 3, 'three reflection replies');
    stream.end();
    const services = (replies[0]!.list_services_response as { service: { name: string }[] }).service.map((s) => s.name);
    expect(services).toEqual(expect.arrayContaining(['tickstream.v1.MarketData', 'tickstream.v1.Alerts', 'grpc.health.v1.Health']));
    // File descriptors (what grpcurl describe and invoke with): the services' methods and messages.
    for (const [i, names] of [[1, ['StreamTicks', 'GetCandlesRequest', 'Subscribed']], [2, ['StreamAlertEvents', 'CreateAlertRequest', 'PCT_MOVE']]] as const) {
      const descriptors = (replies[i]!.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto;
      const text = Buffer.concat(descriptors).toString('latin1');
      for (const name of names) expect(text).toContain(name);
    }
  });
});

describe('MarketData unary methods', () => {
  it('GetQuote: a symbol in any case; unknown is NOT_FOUND with UNKNOWN_SYMBOL', async () => {
    const quote = await call<Record<string, unknown>>(clients.marketData, 'GetQuote', { symbol: 'aapl' });
    expect(quote).toMatchObject({ symbol: 'AAPL', price: expect.any(Number), seq: expect.any(Number), open: expect.any(Number), change_percent: expect.any(Number) });
    expect(new Date(quote.timestamp as string).getTime()).toBe(quote.ts);
    const error = await failure(call(clients.marketData, 'GetQuote', { symbol: 'NOPE' }));
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(codeOf(error)).toBe('UNKNOWN_SYMBOL');
    expect(error.details).toMatch(/^UNKNOWN_SYMBOL: /);
  });

  it('ListQuotes: every symbol, or the ones asked for; an unknown one is NOT_FOUND', async () => {
    const all = await call<{ quotes: { symbol: string }[] }>(clients.marketData, 'ListQuotes', {});
    expect(all.quotes.map((q) => q.symbol)).toEqual(SYMBOLS.slice().sort());
    const some = await call<{ quotes: { symbol: string }[] }>(clients.marketData, 'ListQuotes', { symbols: ['tsla', 'MSFT'] });
    expect(some.quotes.map((q) => q.symbol)).toEqual(['MSFT', 'TSLA']);
    expect(codeOf(await failure(call(clients.marketData, 'ListQuotes', { symbols: ['AAPL', 'NOPE'] })))).toBe('UNKNOWN_SYMBOL');
  });

  it('GetCandles: oldest first; a bad interval or limit is INVALID_ARGUMENT with its code', async () => {
    const res = await call<{ symbol: string; interval: string; candles: { time: number; open: number; high: number; low: number; close: number }[] }>(clients.marketData, 'GetCandles', { symbol: 'MSFT', interval: '1s', limit: 5 });
    expect(res).toMatchObject({ symbol: 'MSFT', interval: '1s' });
    expect(res.candles.length).toBeGreaterThan(0);
    expect(res.candles.length).toBeLessThanOrEqual(5);
    for (const c of res.candles) expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
    const times = res.candles.map((c) => c.time);
    expect(times).toEqual(times.slice().sort((a, b) => a - b));
    const interval = await failure(call(clients.marketData, 'GetCandles', { symbol: 'MSFT', interval: '2m' }));
    expect([interval.code, codeOf(interval)]).toEqual([grpc.status.INVALID_ARGUMENT, 'INVALID_INTERVAL']);
    const limit = await failure(call(clients.marketData, 'GetCandles', { symbol: 'MSFT', interval: '1m', limit: 1_000_000 }));
    expect([limit.code, codeOf(limit)]).toEqual([grpc.status.INVALID_ARGUMENT, 'INVALID_LIMIT']);
  });
});

describe('MarketData.StreamTicks', () => {
  it('subscribing during a fast stream: subscribed, snapshot, then every seq once and in order', async () => {
    const reader = new TickReader(clients.marketData, { symbols: ['aapl', 'MSFT'] });
    await waitFor(() => reader.ticks('AAPL').length > 1500 && reader.ticks('MSFT').length > 1500, '1500 ticks of AAPL and MSFT', 30_000);
    expect(reader.subscribed).toEqual({ symbols: ['AAPL', 'MSFT'], epoch: expect.any(String), recovered: {}, unknown_symbols: [] });
    for (const s of ['AAPL', 'MSFT']) expect(gaps(reader.ticks(s))).toEqual([]);
    expect(reader.ticks('TSLA')).toEqual([]);
    const tick = reader.ticks('AAPL')[0]!;
    expect(tick.epoch).toBe(reader.subscribed!.epoch);
    expect(new Date(tick.timestamp).getTime()).toBe(tick.ts);
    reader.call.cancel();
  });

  it('no symbols: every symbol; unknown ones are listed and the others streamed; none known is NOT_FOUND', async () => {
    const all = new TickReader(clients.marketData, {});
    await waitFor(() => SYMBOLS.every((s) => all.ticks(s).length > 5), 'ticks of every symbol');
    expect(all.subscribed?.symbols).toEqual(SYMBOLS.slice().sort());
    for (const s of SYMBOLS) expect(gaps(all.ticks(s))).toEqual([]);
    all.call.cancel();

    const partly = new TickReader(clients.marketData, { symbols: ['TSLA', 'NOPE'] });
    await waitFor(() => partly.ticks('TSLA').length > 5, 'TSLA ticks');
    expect(partly.subscribed).toMatchObject({ symbols: ['TSLA'], unknown_symbols: ['NOPE'] });
    partly.call.cancel();

    const none = new TickReader(clients.marketData, { symbols: ['NOPE'] });
    const error = await none.waitForEnd('the refusal');
    expect([error.code, codeOf(error)]).toEqual([grpc.status.NOT_FOUND, 'UNKNOWN_SYMBOL']);
  });

  it('more symbols than WS_MAX_SYMBOLS is RESOURCE_EXHAUSTED TOO_MANY_SYMBOLS; a bad since is INVALID_ARGUMENT', async () => {
    const tooMany = new TickReader(clients.marketData, { symbols: SYMBOLS });
    const error = await tooMany.waitForEnd('the refusal');
    expect([error.code, codeOf(error)]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'TOO_MANY_SYMBOLS']);
    const badSince = new TickReader(clients.marketData, { symbols: ['AAPL'], since: { AAPL: -5 } });
    const bad = await badSince.waitForEnd('the refusal');
    expect([bad.code, codeOf(bad)]).toEqual([grpc.status.INVALID_ARGUMENT, 'BAD_REQUEST']);
  });

  it('resume with since and epoch: the missed ticks first, no gap; from another epoch: recovered false and a fresh snapshot', async () => {
    const first = new TickReader(clients.marketData, { symbols: ['AAPL'] });
    await waitFor(() => first.ticks('AAPL').length > 200, '200 AAPL ticks');
    first.call.cancel();
    await sleep(300);
    const seen = first.ticks('AAPL');
    const last = seen[seen.length - 1]!;
    // Ticks go on while the client is away.
    await sleep(700);

    const resumed = new TickReader(clients.marketData, { symbols: ['AAPL'], since: { AAPL: last.seq }, epoch: last.epoch });
    await waitFor(() => resumed.ticks('AAPL').length > 1000, '1000 resumed AAPL ticks', 30_000);
    expect(resumed.subscribed).toMatchObject({ symbols: ['AAPL'], epoch: last.epoch, recovered: { AAPL: true } });
    const again = resumed.ticks('AAPL');
    expect(again[0]!.seq).toBe(last.seq + 1);
    expect(gaps([...seen, ...again])).toEqual([]);
    resumed.call.cancel();

    const elsewhere = new TickReader(clients.marketData, { symbols: ['AAPL'], since: { AAPL: last.seq }, epoch: 'another-epoch' });
    await waitFor(() => elsewhere.ticks('AAPL').length > 10, 'AAPL ticks after a refused resume');
    expect(elsewhere.subscribed).toMatchObject({ recovered: { AAPL: false }, epoch: last.epoch });
    // A snapshot: the latest tick when it joined, not a replay from the old seq.
    expect(elsewhere.ticks('AAPL')[0]!.seq).toBeGreaterThan(last.seq + 1);
    expect(gaps(elsewhere.ticks('AAPL'))).toEqual([]);
    elsewhere.call.cancel();
  });

  it('a stream that stops reading is conflated and then ended with RESOURCE_EXHAUSTED SLOW_CONSUMER; memory stays bounded', async () => {
    const closesBefore = await metric(server, 'tickstream_grpc_slow_consumer_closes_total');
    const reader = new TickReader(clients.marketData, { symbols: ['AAPL', 'MSFT'] });
    await waitFor(() => reader.ticks().length > 10, 'the first ticks');
    // The client stops reading: HTTP/2 flow control stops the server's writes.
    reader.call.pause();
    await waitFor(async () => (await metric(server, 'tickstream_grpc_slow_consumer_closes_total')) > closesBefore, 'the slow stream to be ended', 60_000, 250);
    expect(await metric(server, 'tickstream_grpc_ticks_conflated_total')).toBeGreaterThan(0);
    reader.call.resume();
    const error = await reader.waitForEnd('the slow stream’s status');
    expect([error.code, codeOf(error)]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'SLOW_CONSUMER']);
  });
});

describe('Alerts', () => {
  const create = (token: string, request: object) => call<Record<string, unknown>>(clients.alerts, 'CreateAlert', request, bearer(token));

  it('no token is UNAUTHENTICATED AUTH_REQUIRED, a bad one UNAUTHENTICATED INVALID_TOKEN, on every method', async () => {
    const requests: [string, object][] = [['CreateAlert', { symbol: 'AAPL', condition: 'ABOVE', threshold: 1 }], ['GetAlert', { id: 1 }], ['ListAlerts', {}], ['DeleteAlert', { id: 1 }]];
    for (const [method, request] of requests) {
      const missing = await failure(call(clients.alerts, method, request));
      expect([method, missing.code, codeOf(missing)]).toEqual([method, grpc.status.UNAUTHENTICATED, 'AUTH_REQUIRED']);
      const forged = await failure(call(clients.alerts, method, request, bearer('not.a.token')));
      expect([method, forged.code, codeOf(forged)]).toEqual([method, grpc.status.UNAUTHENTICATED, 'INVALID_TOKEN']);
    }
    const stream = clients.alerts.StreamAlertEvents!({}) as grpc.ClientReadableStream<unknown>;
    streams.push(stream);
    const error = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    expect([error.code, codeOf(error)]).toEqual([grpc.status.UNAUTHENTICATED, 'AUTH_REQUIRED']);
  });

  it('create, get, list, delete: the caller’s alerts only; another user’s id is NOT_FOUND like an unknown one', async () => {
    const alert = await create(alice.token, { symbol: 'msft', condition: 'BELOW', threshold: 1, note: 'far below' });
    expect(alert).toMatchObject({ id: expect.any(Number), symbol: 'MSFT', condition: 'BELOW', threshold: 1, mode: 'ONCE', status: 'ACTIVE', note: 'far below', trigger_count: 0, triggered_at: '' });
    const id = alert.id as number;
    expect(await call(clients.alerts, 'GetAlert', { id }, bearer(alice.token))).toEqual(alert);
    // REST sees the same alert.
    const rest = await fetch(`${server.http}/api/v1/alerts/${id}`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(await rest.json()).toMatchObject({ id, symbol: 'MSFT', condition: 'below', threshold: 1 });

    expect(await call(clients.alerts, 'ListAlerts', {}, bearer(bob.token))).toEqual({ alerts: [] });
    for (const method of ['GetAlert', 'DeleteAlert']) {
      const hidden = await failure(call(clients.alerts, method, { id }, bearer(bob.token)));
      expect([method, hidden.code, codeOf(hidden)]).toEqual([method, grpc.status.NOT_FOUND, 'ALERT_NOT_FOUND']);
      const unknown = await failure(call(clients.alerts, method, { id: 999_999 }, bearer(bob.token)));
      expect([unknown.code, unknown.details]).toEqual([hidden.code, hidden.details]);
    }
    const listed = await call<{ alerts: { id: number }[] }>(clients.alerts, 'ListAlerts', { active_only: true }, bearer(alice.token));
    expect(listed.alerts.map((a) => a.id)).toContain(id);

    expect(await call(clients.alerts, 'DeleteAlert', { id }, bearer(alice.token))).toEqual({});
    expect(codeOf(await failure(call(clients.alerts, 'GetAlert', { id }, bearer(alice.token))))).toBe('ALERT_NOT_FOUND');
  });

  it('bad input is INVALID_ARGUMENT with the REST API’s codes; the per-user limit is RESOURCE_EXHAUSTED', async () => {
    const carol = await register('carol');
    const cases: [object, string][] = [
      [{ symbol: 'NOPE', condition: 'ABOVE', threshold: 1 }, 'UNKNOWN_SYMBOL'],
      [{ symbol: 'AAPL', threshold: 1 }, 'INVALID_CONDITION'],
      [{ symbol: 'AAPL', condition: 'ABOVE', threshold: 0 }, 'INVALID_PRICE'],
      [{ symbol: 'AAPL', condition: 'ABOVE', threshold: 1, note: 'x'.repeat(501) }, 'NOTE_TOO_LONG'],
      [{ symbol: 'AAPL', condition: 'ABOVE', threshold: 1, cooldown_seconds: -1 }, 'BAD_REQUEST'],
    ];
    for (const [request, code] of cases) {
      const error = await failure(create(carol.token, request));
      expect([code, error.code, codeOf(error)]).toEqual([code, grpc.status.INVALID_ARGUMENT, code]);
    }
    const idError = await failure(call(clients.alerts, 'GetAlert', { id: 0 }, bearer(carol.token)));
    expect([idError.code, codeOf(idError)]).toEqual([grpc.status.INVALID_ARGUMENT, 'BAD_REQUEST']);
    for (let i = 0; i < 3; i++) await create(carol.token, { symbol: 'AAPL', condition: 'BELOW', threshold: 1 + i });
    const limit = await failure(create(carol.token, { symbol: 'AAPL', condition: 'BELOW', threshold: 9 }));
    expect([limit.code, codeOf(limit)]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'TOO_MANY_ALERTS']);
  });

  it('StreamAlertEvents: the owner gets the alert as it fires, another user nothing; active_only leaves out the triggered alert', async () => {
    const open = (token: string) => {
      const stream = clients.alerts.StreamAlertEvents!({}, bearer(token)) as grpc.ClientReadableStream<Record<string, unknown>>;
      streams.push(stream);
      const events: Record<string, unknown>[] = [];
      stream.on('data', (e: Record<string, unknown>) => events.push(e));
      stream.on('error', () => undefined);
      // Initial metadata is sent once the subscription holds: every alert from then on arrives.
      const ready = new Promise<void>((resolve) => stream.once('metadata', () => resolve()));
      return { stream, events, ready };
    };
    const owner = open(alice.token);
    const other = open(bob.token);
    await Promise.all([owner.ready, other.ready]);

    // AAPL trades far above 1: the alert fires on the next tick.
    const alert = await create(alice.token, { symbol: 'AAPL', condition: 'ABOVE', threshold: 1 });
    await waitFor(() => owner.events.length > 0, 'the alert event', 30_000);
    expect(owner.events[0]).toMatchObject({ alert: { id: alert.id, status: 'TRIGGERED', trigger_count: 1, symbol: 'AAPL' }, price: expect.any(Number), ts: expect.any(Number) });
    expect((owner.events[0]!.price as number) >= 1).toBe(true);
    // Bob's stream is open and subscribed the same way; give a wrong delivery time to show up.
    await sleep(500);
    expect(other.events).toEqual([]);

    const active = await call<{ alerts: { id: number }[] }>(clients.alerts, 'ListAlerts', { active_only: true }, bearer(alice.token));
    expect(active.alerts.map((a) => a.id)).not.toContain(alert.id);
    const everything = await call<{ alerts: { id: number; status: string }[] }>(clients.alerts, 'ListAlerts', { active_only: false }, bearer(alice.token));
    expect(everything.alerts.find((a) => a.id === alert.id)).toMatchObject({ status: 'TRIGGERED' });
    owner.stream.cancel();
    other.stream.cancel();
  });
});

describe('shutdown', () => {
  it('SIGTERM: open streams end with UNAVAILABLE (resume elsewhere) and the process exits 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const reader = new TickReader(clients.marketData, { symbols: ['AAPL'] });
    await waitFor(() => reader.ticks().length > 10, 'ticks');
    const exited = server.stop('SIGTERM');
    const error = await reader.waitForEnd('the stream to end');
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
