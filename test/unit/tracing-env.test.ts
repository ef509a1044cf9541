import { describe, expect, it } from 'vitest';
import { tickCodec } from '../../src/adapters/codec.js';
import { carriedTraceparent, carry, formatTraceparent, parseTraceparent } from '../../src/observability/tracing/carrier.js';
import { tracingRequested, tracingSettings } from '../../src/observability/tracing/env.js';
import { tracingState } from '../../src/observability/tracing/state.js';

describe('tracing configuration (standard OTEL_* variables)', () => {
  it('is off unless an OTLP endpoint or a traces exporter is named', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
  });

  it('picks the OTLP encoding, http/protobuf by default, and names a variable it cannot honour', () => {
    expect(tracingSettings({})).toEqual({ exporters: ['otlp'], protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ exporters: ['otlp'], protocol: 'http/json' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_TRACES_EXPORTER: 'otlp,console' })).toEqual({ exporters: ['otlp', 'console'], protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual({ problems: [expect.stringContaining('OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported')] });
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual({ problems: [expect.stringContaining('OTEL_TRACES_EXPORTER: "zipkin"')] });
  });
});

describe('trace context carried by ticks', () => {
  const context = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

  it('reads back the traceparent it writes, and refuses malformed ones', () => {
    expect(formatTraceparent(context)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent(formatTraceparent(context))).toEqual({ ...context, isRemote: true });
    for (const bad of ['', '00-0000000000000000000000000000000-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01']) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('encodes context only for a tick that carries one, and only with tracing on', () => {
    const tick = { symbol: 'AAPL', price: 1, size: 1, ts: 1, seq: 1, source: 'sim' };
    const plain = { ...tick };
    try {
      tracingState.on = true;
      carry(tick, context);
      expect(JSON.parse(tickCodec.encode(tick))).toEqual({ ...tick, tp: formatTraceparent(context) });
      expect(JSON.parse(tickCodec.encode(tick, { traceContext: false }))).toEqual(tick);
      expect(tickCodec.encode(plain)).toBe(JSON.stringify(plain));
      const decoded = tickCodec.decode(tickCodec.encode(tick))!;
      expect(decoded).toEqual(tick);
      expect(carriedTraceparent(decoded)).toBe(formatTraceparent(context));
      tracingState.on = false;
      expect(tickCodec.encode(tick)).toBe(JSON.stringify(tick));
    } finally {
      tracingState.on = false;
    }
  });
});
