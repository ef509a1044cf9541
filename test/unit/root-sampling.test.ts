import { describe, expect, it } from 'vitest';
import { rootSamplingRatio } from '../../src/observability/tracing/root-sampling.js';

describe('the ratio of root tick spans, from the standard sampler variables', () => {
  it('models the always and ratio samplers, plain and parent-based, as the SDK reads them', () => {
    expect(rootSamplingRatio({})).toBe(1); // parentbased_always_on, the specification's default
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'always_on' })).toBe(1);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBe(0);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'always_off' })).toBe(0);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' })).toBe(0.01);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: ' TraceIdRatio ', OTEL_TRACES_SAMPLER_ARG: ' 0.5 ' })).toBe(0.5);
  });

  it('falls back to 1 for a missing or out-of-range ratio, as the SDK does', () => {
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toBe(1);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toBe(1);
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'often' })).toBe(1);
  });

  it('leaves samplers it does not model to the SDK (no fast path)', () => {
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote' })).toBeUndefined();
    expect(rootSamplingRatio({ OTEL_TRACES_SAMPLER: 'xray' })).toBeUndefined();
  });
});
