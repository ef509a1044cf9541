import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { deleteQueues } from '../support/rabbitmq.js';
import { startServer, type RunningServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 17: an order is one trace from `POST /api/v1/orders` to its fill, through the order queue
 * (RabbitMQ, W3C context in the message headers) and the orders role, and the request's log lines
 * carry its trace id. The client sends its own `traceparent`, so the trace id is known up front.
 */
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const QUEUE = `tickstream.e2e.${RUN}.traced-orders`;

let receiver: OtlpReceiver;
let server: RunningServer;

async function api<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(server.http + path, {
    method,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

let seq = 0;
const inject = async (price: number) => {
  const res = await api('POST', '/api/v1/test/ticks', undefined, { ticks: [{ symbol: 'AAPL', size: 1_000, price, seq: ++seq }] });
  expect(res.status).toBe(202);
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startServer({
    ROLES: 'processor,api,orders',
    TEST_TICK_INJECTION: 'true',
    SYMBOLS: 'AAPL,MSFT',
    JWT_SECRET: 'e2e-tracing-jwt-secret-0123456789abcdef',
    AMQP_URL: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    ORDER_QUEUE: QUEUE,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'traced-orders',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  await waitFor(async () => (await fetch(`${server.http}/ready`)).status === 200, 'readiness', 60_000, 100);
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await receiver?.close();
  await deleteQueues([QUEUE, `${QUEUE}.dead`, ...[1, 2, 3, 4].map((n) => `${QUEUE}.retry.${n}`)]).catch(() => undefined);
}, 60_000);

describe('tracing an order', () => {
  it('follows an order from POST /api/v1/orders through the queue to its fill, and its log lines carry the trace id', async () => {
    const registered = await api<{ token: string }>('POST', '/api/v1/auth/register', undefined, { username: 'tracer', password: 'password-123' });
    expect(registered.status).toBe(201);
    const token = registered.body.token;
    await inject(100);
    await waitFor(async () => (await api('GET', '/price/AAPL')).status === 200, 'a first AAPL price', 30_000, 100);

    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const submitted = await api<{ id: number }>('POST', '/api/v1/orders', token, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 3 }, { traceparent: `00-${traceId}-${clientSpan}-01` });
    expect(submitted.status).toBe(201);
    const orderPath = `/api/v1/orders/${submitted.body.id}`;
    await waitFor(async () => (await api<{ status: string }>('GET', orderPath, token)).body.status === 'accepted', 'the order accepted', 30_000, 100);
    await inject(101);
    await waitFor(async () => (await api<{ status: string }>('GET', orderPath, token)).body.status === 'filled', 'the order filled', 30_000, 100);

    const spans = await waitFor(() => {
      const found = receiver.trace(traceId);
      return found.some((s) => s.name === 'order fill') ? found : undefined;
    }, 'the fill in the order’s trace', 30_000, 100);
    const request = spans.find((s) => s.name === 'POST /api/v1/orders')!;
    const processed = spans.find((s) => s.name === `${QUEUE} process`)!;
    const fill = spans.find((s) => s.name === 'order fill')!;
    expect(request.parentSpanId).toBe(clientSpan);
    expect(request.attributes['http.response.status_code']).toBe(201);
    expect(processed.parentSpanId).toBe(request.spanId);
    expect(processed.attributes['messaging.system']).toBe('rabbitmq');
    expect(fill.parentSpanId).toBe(processed.spanId);
    expect(fill.attributes['order.id']).toBe(submitted.body.id);

    // The request's log line (written after the response) is in the trace too.
    const line = await waitFor(() => server.logs.find((l) => l.msg === 'request' && l.route === '/api/v1/orders' && l.method === 'POST'), 'the request log line', 10_000);
    expect(line.trace_id).toBe(traceId);
    expect(line.span_id).toBe(request.spanId);
    // Lines outside any span carry none.
    expect(server.logs.find((l) => l.msg === 'tickstream started')?.trace_id).toBeUndefined();
  }, 120_000);
});
