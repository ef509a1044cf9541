/**
 * How often a tick that starts a trace (appended outside any request span) is sampled, read from the
 * standard sampler variables. The append path draws this ratio itself and makes no span at all for a
 * tick that loses, so an unsampled tick costs one random number instead of a span the SDK builds,
 * samples and drops (ids, sampler call, a non-recording span). A tick that wins gets its span marked
 * PRESAMPLED, which the SDK's sampler (sdk.ts) honours, so it is not sampled a second time.
 *
 * undefined: a sampler this file does not model (the SDK decides each tick, as before).
 */
export function rootSamplingRatio(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  switch (name) {
    case 'always_on':
    case 'parentbased_always_on':
      return 1;
    case 'always_off':
    case 'parentbased_always_off':
      return 0;
    case 'traceidratio':
    case 'parentbased_traceidratio': {
      const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
      if (arg === undefined || arg === '') return 1;
      const ratio = Number(arg);
      // The SDK falls back to 1 for a value outside [0, 1]; so does this.
      return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
    }
    default:
      return undefined;
  }
}

/** The span attribute that says a root tick span was already sampled by the append path. */
export const PRESAMPLED = 'tickstream.presampled';
