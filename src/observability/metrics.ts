import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric tickstream exports, created once per process on its own registry (tests build
 * several apps in one process). Names follow Prometheus conventions: `_total` counters, base units.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tickstream_process_' });
  const registers = [registry];
  /** When each ingest source last delivered a message (epoch ms), read at scrape time. */
  const ingestLastMessageAt = new Map<string, number>();
  return {
    registry,
    ticksGenerated: new Counter({ name: 'tickstream_ticks_generated_total', help: 'Ticks made by the generator and appended to the log.', registers }),
    ticksProcessed: new Counter({ name: 'tickstream_ticks_processed_total', help: 'Ticks read from the log by the processor, accepted or not.', registers }),
    ticksAccepted: new Counter({ name: 'tickstream_ticks_accepted_total', help: 'Ticks accepted by the store (newer seq).', registers }),
    ticksRejected: new Counter({ name: 'tickstream_ticks_rejected_total', help: 'Ticks the store refused: duplicate (same seq) or stale (lower seq).', labelNames: ['reason'] as const, registers }),
    ticksPublished: new Counter({ name: 'tickstream_ticks_published_total', help: 'Accepted ticks published on pub/sub.', registers }),
    wsConnections: new Gauge({ name: 'tickstream_ws_connections', help: 'Open WebSocket connections.', registers }),
    socketIoConnections: new Gauge({ name: 'tickstream_socketio_connections', help: 'Open Socket.IO connections.', registers }),
    gatewayTicksDelivered: new Counter({ name: 'tickstream_gateway_ticks_delivered_total', help: 'Ticks the gateway delivered to its subscribers (once per tick, however many clients).', registers }),
    wsConnectionsRejected: new Counter({ name: 'tickstream_ws_connections_rejected_total', help: 'WebSocket connections refused or closed at once, by reason code.', labelNames: ['code'] as const, registers }),
    wsFramesSent: new Counter({ name: 'tickstream_ws_frames_sent_total', help: 'Frames written to WebSocket clients.', registers }),
    wsTicksConflated: new Counter({ name: 'tickstream_ws_ticks_conflated_total', help: 'Ticks replaced by a newer one of the same symbol for a slow client.', registers }),
    wsTicksDropped: new Counter({ name: 'tickstream_ws_ticks_dropped_total', help: 'Ticks not delivered because the client was closing.', registers }),
    wsSlowConsumerCloses: new Counter({ name: 'tickstream_ws_slow_consumer_closes_total', help: 'Clients closed with 4000 for staying behind.', registers }),
    wsClientErrors: new Counter({ name: 'tickstream_ws_client_errors_total', help: 'Error replies sent to clients, by code.', labelNames: ['code'] as const, registers }),
    wsGapFills: new Counter({ name: 'tickstream_ws_gap_fills_total', help: 'Times the gateway saw a seq gap on pub/sub and filled it from the store.', registers }),
    alertsActive: new Gauge({ name: 'tickstream_alerts_active', help: 'Active alerts in this alerts process’s index.', registers }),
    alertsFired: new Counter({ name: 'tickstream_alerts_fired_total', help: 'Alerts fired (each recorded once in the database).', registers }),
    alertWritesRefused: new Counter({ name: 'tickstream_alert_writes_refused_total', help: 'Fire or arm writes the database refused (alert changed, replayed tick, another process first).', registers }),
    alertsDelivered: new Counter({ name: 'tickstream_alerts_delivered_total', help: 'Alert messages written to WebSocket clients.', registers }),
    logins: new Counter({ name: 'tickstream_logins_total', help: 'Login attempts by result: ok, invalid (wrong credentials), locked (refused by brute-force protection).', labelNames: ['result'] as const, registers }),
    ingestLastMessageAt,
    ingestMessages: new Counter({ name: 'tickstream_ingest_messages_total', help: 'Messages read from an ingest source (frames, lines, API batches), whatever they held.', labelNames: ['source'] as const, registers }),
    ingestTicks: new Counter({ name: 'tickstream_ingest_ticks_total', help: 'Ticks an ingest source put on the log.', labelNames: ['source'] as const, registers }),
    ingestDuplicates: new Counter({ name: 'tickstream_ingest_duplicates_total', help: 'Trades an ingest source delivered again (re-sent after a reconnect, or a producer seq already taken), dropped.', labelNames: ['source'] as const, registers }),
    ingestRejected: new Counter({ name: 'tickstream_ingest_rejected_total', help: 'Input an ingest source could not make into a tick, by reason code.', labelNames: ['source', 'reason'] as const, registers }),
    ingestReconnects: new Counter({ name: 'tickstream_ingest_reconnects_total', help: 'Times an ingest source connected again after losing its feed.', labelNames: ['source'] as const, registers }),
    ingestSourceUp: new Gauge({ name: 'tickstream_ingest_source_up', help: '1 while an ingest source is reading its feed, else 0.', labelNames: ['source'] as const, registers }),
    ingestLastMessageAge: new Gauge({
      name: 'tickstream_ingest_last_message_age_seconds',
      help: 'Seconds since an ingest source last delivered a message.',
      labelNames: ['source'] as const,
      registers,
      collect() {
        const now = Date.now();
        for (const [source, at] of ingestLastMessageAt) this.set({ source }, (now - at) / 1000);
      },
    }),
    tickAgeAtSend: new Histogram({
      name: 'tickstream_tick_age_at_send_seconds',
      help: 'Time from a tick’s source timestamp to its write on the client sockets.',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
