import { describe, expect, it } from 'vitest';
import { promqlReferences, templateLabels } from '../support/promql.js';

describe('promqlReferences (the reader behind test/ops/dashboard-metrics.test.ts)', () => {
  it('finds metrics, not functions, keywords, ranges or variables', () => {
    const refs = promqlReferences('histogram_quantile(0.99, sum by (le, route) (rate(tickstream_http_request_duration_seconds_bucket{status=~"5..", job="tickstream"}[$__rate_interval])))');
    expect([...refs.metrics]).toEqual(['tickstream_http_request_duration_seconds_bucket']);
    expect([...refs.labels].sort()).toEqual(['job', 'le', 'route', 'status']);
  });

  it('reads both sides of a binary expression and comparisons', () => {
    const refs = promqlReferences('sum(rate(a_total[5m])) / sum without (code) (rate(b_total[5m] offset 1h)) > 0.05 and on (instance) up == 0');
    expect([...refs.metrics].sort()).toEqual(['a_total', 'b_total', 'up']);
    expect([...refs.labels].sort()).toEqual(['code', 'instance']);
  });

  it('ignores label values that look like names', () => {
    expect([...promqlReferences('tickstream_ready_check{check!="process"} == 0').metrics]).toEqual(['tickstream_ready_check']);
  });

  it('reads the labels of legends and alert templates', () => {
    expect(templateLabels('{{role}} {{ instance }}: {{ $labels.check }} is {{ $value | humanize }}')).toEqual(['role', 'instance', 'check']);
  });
});
