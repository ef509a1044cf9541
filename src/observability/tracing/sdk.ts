import { diag, DiagLogLevel } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../logger.js';
import type { TracingSettings } from './env.js';

/**
 * The OpenTelemetry SDK, built from the environment. Loaded only by a dynamic import from
 * start.ts when tracing was asked for: a process that does not trace never loads these modules.
 *
 * The SDK reads the rest of the standard variables itself: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
 * _HEADERS, _TIMEOUT and _COMPRESSION (the exporters), OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG (the tracer provider; parentbased_always_on by default),
 * OTEL_BSP_* (the batch processor), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the resource).
 */
export async function startSdk(settings: TracingSettings, identity: { version: string; roles: readonly string[] }, logger: Logger): Promise<{ shutdown(): Promise<void> }> {
  // Export failures and bad variables are reported by the SDK through `diag`: into our log.
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ otel: args.length > 0 ? args.map(String) : undefined }, `opentelemetry: ${message}`),
      warn: (message, ...args) => logger.warn({ otel: args.length > 0 ? args.map(String) : undefined }, `opentelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const processors: SpanProcessor[] = [];
  for (const kind of settings.exporters) {
    if (kind === 'console') processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
    else processors.push(new BatchSpanProcessor(await otlpExporter(settings.protocol)));
  }
  const defaults = resourceFromAttributes({ 'service.name': 'tickstream', 'service.version': identity.version, 'tickstream.roles': identity.roles.join(',') });
  const provider = new NodeTracerProvider({ resource: defaults.merge(detectResources({ detectors: [envDetector] })), spanProcessors: processors });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}

/** The OTLP/HTTP exporter of the protocol; only that one's module is loaded. */
async function otlpExporter(protocol: TracingSettings['protocol']): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}
