import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BuildInfo } from './build-info.js';

/**
 * prom-client's default collectors also export these gauges under a `_total` name, which
 * Prometheus reserves for counters (`promtool check metrics` refuses them). The same values stay
 * exported as `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface MetricsOptions {
  /** Node process metrics (`process_*`, `nodejs_*`); off for tests that build many apps in one process. */
  readonly defaultMetrics?: boolean;
  /**
   * The roles this process runs: a role's metrics are registered only where it runs, so a gateway
   * does not export a processor counter stuck at 0. Unset: every role's (tests).
   */
  readonly roles?: readonly string[];
  readonly build?: BuildInfo;
}

/**
 * Every metric tickstream exports, created once per process on its own registry (tests build
 * several apps in one process). Names follow Prometheus conventions: `_total` counters, base units;
 * Node process metrics keep their standard names so stock Node.js dashboards match them.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }
  const all = [registry];
  const none: Registry[] = [];
  const of = (...roles: string[]): Registry[] => (!options.roles || roles.some((r) => options.roles!.includes(r)) ? all : none);
  const generator = of('generator');
  const processor = of('processor');
  const gateway = of('gateway');
  const alerts = of('alerts');
  const api = of('api');
  // gRPC listens in processes with the gateway or api role (GRPC_PORT).
  const grpc = of('gateway', 'api');
  // The ingestor role, and the api's POST /api/v1/ticks, which feeds the same intake.
  const ingest = of('ingestor', 'api');
  // Whoever appends ticks to the log: the generator, the ingestor, and the api's ingest route.
  const appenders = of('generator', 'ingestor', 'api');
  // Whoever reads the log in a consumer group of its own.
  const consumers = of('processor', 'alerts', 'analytics', 'orders');
  const orders = of('orders');
  /** When each ingest source last delivered a message (epoch ms), read at scrape time. */
  const ingestLastMessageAt = new Map<string, number>();
  /** Whether each ingest source is reading its feed now, read at scrape time. */
  const ingestSourceUp = new Map<string, () => boolean>();
  /** The readiness checks of /ready, run at scrape time once the process has them (compose.ts). */
  const readinessProbe: { check?: () => Promise<{ ready: boolean; checks: Record<string, string> }> } = {};
  // One run of the checks per scrape: both readiness gauges are collected at once and share it.
  let probing: Promise<{ ready: boolean; checks: Record<string, string> }> | undefined;
  const probeOnce = (): Promise<{ ready: boolean; checks: Record<string, string> }> => {
    if (!readinessProbe.check) return Promise.resolve({ ready: false, checks: {} });
    probing ??= readinessProbe.check().finally(() => (probing = undefined));
    return probing;
  };

  const buildInfo = new Gauge({ name: 'tickstream_build_info', help: 'Always 1; the labels say which build runs here.', labelNames: ['version', 'commit', 'node'] as const, registers: all });
  const build = options.build ?? { version: 'unknown', commit: 'unknown' };
  buildInfo.set({ version: build.version, commit: build.commit, node: process.version }, 1);
  const roleInfo = new Gauge({ name: 'tickstream_role_info', help: 'Always 1, once per role this process runs.', labelNames: ['role'] as const, registers: all });
  for (const role of options.roles ?? []) roleInfo.set({ role }, 1);

  const metrics = {
    registry,
    readinessProbe,
    ready: new Gauge({
      name: 'tickstream_ready',
      help: '1 while every readiness check of this process passes (what /ready answers with 200), else 0.',
      registers: all,
      async collect() {
        this.set((await probeOnce()).ready ? 1 : 0);
      },
    }),
    readyCheck: new Gauge({
      name: 'tickstream_ready_check',
      help: '1 while one readiness check of /ready (an engine this process uses, or `process` itself) passes, else 0.',
      labelNames: ['check'] as const,
      registers: all,
      async collect() {
        for (const [check, result] of Object.entries((await probeOnce()).checks)) this.set({ check }, result === 'ok' ? 1 : 0);
      },
    }),
    eventLogRecordsAppended: new Counter({ name: 'tickstream_eventlog_records_appended_total', help: 'Records this process appended to the tick log.', registers: appenders }),
    eventLogAppendFailures: new Counter({ name: 'tickstream_eventlog_append_failures_total', help: 'Appends to the tick log that failed (the engine refused or did not answer); the caller retries or drops the batch.', registers: appenders }),
    eventLogConsumerLag: new Gauge({
      name: 'tickstream_eventlog_consumer_lag',
      help: 'Records of a tick-log partition the consumer group has not acknowledged yet (Redis Streams and Kafka: entries or Kafka records, each one append of up to 256 records to the partition), measured every 5 s by each process of the group.',
      labelNames: ['group', 'partition'] as const,
      registers: consumers,
    }),
    eventLogLagMeasurementFailures: new Counter({ name: 'tickstream_eventlog_lag_measurement_failures_total', help: 'Times the consumer lag of a group could not be read from the log engine.', labelNames: ['group'] as const, registers: consumers }),
    processorBatchDuration: new Histogram({
      name: 'tickstream_processor_batch_duration_seconds',
      help: 'Time the processor took for one batch of the log: store write and pub/sub publish.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: processor,
    }),
    alertDelay: new Histogram({
      name: 'tickstream_alert_delay_seconds',
      help: 'Time from the timestamp of the tick that fired an alert to the fire being recorded.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: alerts,
    }),
    orderFills: new Counter({ name: 'tickstream_order_fills_total', help: 'Paper-trading fills recorded by the orders role, by side.', labelNames: ['side'] as const, registers: orders }),
    ordersClosedBySystem: new Counter({ name: 'tickstream_orders_closed_by_system_total', help: 'Orders the engine closed without a full fill (day ended, ioc rest, funds or shares short), by reason.', labelNames: ['reason'] as const, registers: orders }),
    httpRequestDuration: new Histogram({
      name: 'tickstream_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status: time from request to response sent.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: all,
    }),
    httpConnectionsRefused: new Counter({ name: 'tickstream_http_connections_refused_total', help: 'HTTP connections answered 429 TOO_MANY_CONNECTIONS_FROM_IP at once: the address held HTTP_MAX_CONNECTIONS_PER_IP.', registers: all }),
    ticksGenerated: new Counter({ name: 'tickstream_ticks_generated_total', help: 'Ticks made by the generator and appended to the log.', registers: generator }),
    ticksProcessed: new Counter({ name: 'tickstream_ticks_processed_total', help: 'Ticks read from the log by the processor, accepted or not.', registers: processor }),
    ticksAccepted: new Counter({ name: 'tickstream_ticks_accepted_total', help: 'Ticks accepted by the store (newer seq).', registers: processor }),
    ticksRejected: new Counter({ name: 'tickstream_ticks_rejected_total', help: 'Ticks the store refused: duplicate (same seq) or stale (lower seq).', labelNames: ['reason'] as const, registers: processor }),
    ticksPublished: new Counter({ name: 'tickstream_ticks_published_total', help: 'Accepted ticks published on pub/sub.', registers: processor }),
    wsConnections: new Gauge({ name: 'tickstream_ws_connections', help: 'Open WebSocket connections.', registers: gateway }),
    socketIoConnections: new Gauge({ name: 'tickstream_socketio_connections', help: 'Open Socket.IO connections.', registers: gateway }),
    socketIoConnectionsRejected: new Counter({ name: 'tickstream_socketio_connections_rejected_total', help: 'Socket.IO handshakes refused or connections dropped at once, by reason code.', labelNames: ['code'] as const, registers: gateway }),
    socketIoTicksSent: new Counter({ name: 'tickstream_socketio_ticks_sent_total', help: 'stock-tick events handed to Socket.IO clients.', registers: gateway }),
    socketIoTicksConflated: new Counter({ name: 'tickstream_socketio_ticks_conflated_total', help: 'Ticks replaced by a newer one of the same symbol for a slow Socket.IO client.', registers: gateway }),
    socketIoSlowConsumerCloses: new Counter({ name: 'tickstream_socketio_slow_consumer_closes_total', help: 'Socket.IO clients disconnected for staying behind (SLOW_CONSUMER).', registers: gateway }),
    socketIoClientErrors: new Counter({ name: 'tickstream_socketio_client_errors_total', help: 'Socket.IO error events sent to clients, by code.', labelNames: ['code'] as const, registers: gateway }),
    gatewayTicksDelivered: new Counter({ name: 'tickstream_gateway_ticks_delivered_total', help: 'Ticks the gateway delivered to its subscribers (once per tick and client surface, WebSocket or Socket.IO, however many clients).', registers: gateway }),
    wsConnectionsRejected: new Counter({ name: 'tickstream_ws_connections_rejected_total', help: 'WebSocket connections refused or closed at once, by reason code.', labelNames: ['code'] as const, registers: gateway }),
    wsFramesSent: new Counter({ name: 'tickstream_ws_frames_sent_total', help: 'Frames written to WebSocket clients.', registers: gateway }),
    wsTicksConflated: new Counter({ name: 'tickstream_ws_ticks_conflated_total', help: 'Ticks replaced by a newer one of the same symbol for a slow client.', registers: gateway }),
    wsTicksDropped: new Counter({ name: 'tickstream_ws_ticks_dropped_total', help: 'Ticks not delivered because the client was closing.', registers: gateway }),
    wsSlowConsumerCloses: new Counter({ name: 'tickstream_ws_slow_consumer_closes_total', help: 'Clients closed with 4000 for staying behind.', registers: gateway }),
    wsClientErrors: new Counter({ name: 'tickstream_ws_client_errors_total', help: 'Error replies sent to clients, by code.', labelNames: ['code'] as const, registers: gateway }),
    wsGapFills: new Counter({ name: 'tickstream_ws_gap_fills_total', help: 'Times the gateway saw a seq gap on pub/sub and filled it from the store.', registers: gateway }),
    grpcCalls: new Counter({ name: 'tickstream_grpc_calls_total', help: 'gRPC calls by method and outcome: OK or the stable error code (streams count when they end).', labelNames: ['method', 'code'] as const, registers: grpc }),
    grpcStreams: new Gauge({ name: 'tickstream_grpc_streams', help: 'Open gRPC server streams, by method.', labelNames: ['method'] as const, registers: grpc }),
    grpcTicksConflated: new Counter({ name: 'tickstream_grpc_ticks_conflated_total', help: 'Ticks replaced by a newer one of the same symbol for a slow gRPC stream.', registers: grpc }),
    grpcSlowConsumerCloses: new Counter({ name: 'tickstream_grpc_slow_consumer_closes_total', help: 'gRPC streams ended with RESOURCE_EXHAUSTED SLOW_CONSUMER for staying behind.', registers: grpc }),
    alertsActive: new Gauge({ name: 'tickstream_alerts_active', help: 'Active alerts in this alerts process’s index.', registers: alerts }),
    alertsFired: new Counter({ name: 'tickstream_alerts_fired_total', help: 'Alerts fired (each recorded once in the database).', registers: alerts }),
    alertFiresDeferred: new Counter({ name: 'tickstream_alert_fires_deferred_total', help: 'Fires held back by the owner’s budget (ALERTS_USER_FIRE_RATE/BURST); the alert stays armed and fires on a later tick.', registers: alerts }),
    alertWritesRefused: new Counter({ name: 'tickstream_alert_writes_refused_total', help: 'Fire or arm writes the database refused (alert changed, replayed tick, another process first).', registers: alerts }),
    alertsDelivered: new Counter({ name: 'tickstream_alerts_delivered_total', help: 'Alert messages written to WebSocket clients.', registers: gateway }),
    logins: new Counter({ name: 'tickstream_logins_total', help: 'Login attempts by result: ok, invalid (wrong credentials), locked (refused by the per username and address lockout), limited (refused by the per-address or per-username budget).', labelNames: ['result'] as const, registers: api }),
    ingestLastMessageAt,
    ingestSourceStates: ingestSourceUp,
    ingestMessages: new Counter({ name: 'tickstream_ingest_messages_total', help: 'Messages read from an ingest source (frames, lines, API batches), whatever they held.', labelNames: ['source'] as const, registers: ingest }),
    ingestTicks: new Counter({ name: 'tickstream_ingest_ticks_total', help: 'Ticks an ingest source put on the log.', labelNames: ['source'] as const, registers: ingest }),
    ingestDuplicates: new Counter({ name: 'tickstream_ingest_duplicates_total', help: 'Trades an ingest source delivered again (re-sent after a reconnect, or a producer seq already taken), dropped.', labelNames: ['source'] as const, registers: ingest }),
    ingestRejected: new Counter({ name: 'tickstream_ingest_rejected_total', help: 'Input an ingest source could not make into a tick, by reason code.', labelNames: ['source', 'reason'] as const, registers: ingest }),
    ingestReconnects: new Counter({ name: 'tickstream_ingest_reconnects_total', help: 'Times an ingest source connected again after losing its feed.', labelNames: ['source'] as const, registers: ingest }),
    ingestSourceUp: new Gauge({
      name: 'tickstream_ingest_source_up',
      help: '1 while an ingest source is reading its feed, else 0.',
      labelNames: ['source'] as const,
      registers: ingest,
      collect() {
        for (const [source, up] of ingestSourceUp) this.set({ source }, up() ? 1 : 0);
      },
    }),
    ingestLastMessageAge: new Gauge({
      name: 'tickstream_ingest_last_message_age_seconds',
      help: 'Seconds since an ingest source last delivered a message.',
      labelNames: ['source'] as const,
      registers: ingest,
      collect() {
        const now = Date.now();
        for (const [source, at] of ingestLastMessageAt) this.set({ source }, (now - at) / 1000);
      },
    }),
    tickAgeAtSend: new Histogram({
      name: 'tickstream_tick_age_at_send_seconds',
      help: 'Time from a tick’s source timestamp to its write on the client sockets.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: gateway,
    }),
  };
  // Known label values start at 0, so a rate() over them works before the first event.
  for (const result of ['ok', 'invalid', 'locked', 'limited']) metrics.logins.inc({ result }, 0);
  for (const reason of ['duplicate', 'stale']) metrics.ticksRejected.inc({ reason }, 0);
  for (const side of ['buy', 'sell']) metrics.orderFills.inc({ side }, 0);
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
