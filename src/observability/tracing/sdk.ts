import { diag, DiagLogLevel } from '@opentelemetry/api';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../logger.js';
import type { TracingSettings } from './env.js';
import { PRESAMPLED, rootSamplingRatio } from './root-sampling.js';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';

/**
 * The OpenTelemetry SDK, built from the environment. Loaded only by a dynamic import from
 * start.ts when tracing was asked for: a process that does not trace never loads these modules.
 *
 * The SDK reads the rest of the standard variables itself: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
 * _HEADERS, _TIMEOUT and _COMPRESSION (the exporters), OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG (the tracer provider; parentbased_always_on by default),
 * OTEL_BSP_* (the batch processor), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the resource).
 */
export async function startSdk(settings: TracingSettings, identity: { version: string; roles: readonly string[] }, logger: Logger, presampling: boolean): Promise<{ shutdown(): Promise<void> }> {
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
  const provider = new NodeTracerProvider({
    resource: defaults.merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: processors,
    // Without a sampler of ours the SDK builds the one the environment names.
    ...(presampling ? { sampler: new PresampledAware(samplerFromEnv(process.env)) } : {}),
  });
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

/** The sampler the environment names, for the names root-sampling.ts models (its ratio, same rule). */
function samplerFromEnv(env: Readonly<Record<string, string | undefined>>): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = rootSamplingRatio(env) ?? 1;
  const root = ratio >= 1 ? new AlwaysOnSampler() : ratio <= 0 ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/**
 * The environment's sampler, except for root tick spans the append path already sampled (marked
 * PRESAMPLED): those are recorded, so a tick is not sampled twice (ratio × ratio).
 */
class PresampledAware implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (attributes[PRESAMPLED] === true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return this.inner.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `PresampledAware{${this.inner.toString()}}`;
  }
}
