/**
 * Tracing is configured only through the standard OpenTelemetry environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/), read here
 * and by the SDK itself (endpoint, headers, timeout, sampler, batch sizes, resource attributes).
 * This file decides whether tracing is on and which exporters to build, and refuses values this
 * build cannot honour with a message naming the variable.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type TraceExporterKind = 'otlp' | 'console';

export interface TracingSettings {
  readonly exporters: readonly TraceExporterKind[];
  /** The OTLP encoding (when `otlp` is among the exporters). */
  readonly protocol: OtlpProtocol;
}

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Off unless an OTLP endpoint or a traces exporter is named (and the SDK is not disabled), so a
 * process that was not asked to trace never loads the SDK.
 */
export function tracingRequested(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (set(env.OTEL_TRACES_EXPORTER)) return exporterNames(env.OTEL_TRACES_EXPORTER).some((name) => name !== 'none');
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

const exporterNames = (value: string): string[] =>
  value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');

/** What to build, or the list of problems (each naming its variable) when a value is not supported. */
export function tracingSettings(env: Env): TracingSettings | { problems: string[] } {
  const problems: string[] = [];
  const exporters: TraceExporterKind[] = [];
  for (const name of set(env.OTEL_TRACES_EXPORTER) ? exporterNames(env.OTEL_TRACES_EXPORTER) : ['otlp']) {
    if (name === 'otlp' || name === 'console') {
      if (!exporters.includes(name)) exporters.push(name);
    } else if (name !== 'none') problems.push(`OTEL_TRACES_EXPORTER: "${name}" is not supported (use otlp, console or none)`);
  }
  const variable = set(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const given = env[variable]?.trim().toLowerCase();
  // The specification's default for SDKs is http/protobuf.
  let protocol: OtlpProtocol = 'http/protobuf';
  if (given === 'http/json' || given === 'http/protobuf') protocol = given;
  else if (set(given)) problems.push(`${variable}: "${given}" is not supported (use http/protobuf or http/json, on the collector's OTLP/HTTP port, 4318 by default)`);
  return problems.length > 0 ? { problems } : { exporters, protocol };
}
