import { ConfigError } from '../../config/schema-kit.js';
import type { Logger } from '../logger.js';
import { tracingRequested, tracingSettings, type Env } from './env.js';
import { rootSamplingRatio } from './root-sampling.js';
import { resetTracer, tracingState } from './state.js';

export interface Tracing {
  /** Exports the spans still buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => {} };

/**
 * Starts tracing when the environment asks for it (see env.ts); otherwise does nothing and loads
 * nothing. A value this build does not support stops the start with a ConfigError naming it.
 * Call before the adapters and servers are made: they ask `tracingState.on` when built.
 */
export async function startTracing(env: Env, identity: { version: string; roles: readonly string[] }, logger: Logger): Promise<Tracing> {
  if (!tracingRequested(env)) return OFF;
  const settings = tracingSettings(env);
  if ('problems' in settings) throw new ConfigError(settings.problems);
  const { startSdk } = await import('./sdk.js');
  const rootRatio = rootSamplingRatio(env);
  const sdk = await startSdk(settings, identity, logger, rootRatio !== undefined);
  tracingState.on = true;
  tracingState.rootRatio = rootRatio;
  resetTracer();
  logger.info({ exporters: settings.exporters, protocol: settings.exporters.includes('otlp') ? settings.protocol : undefined, sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on', samplerArg: env.OTEL_TRACES_SAMPLER_ARG }, 'tracing on');
  return {
    shutdown: async () => {
      tracingState.on = false;
      tracingState.rootRatio = undefined;
      await sdk.shutdown();
    },
  };
}
