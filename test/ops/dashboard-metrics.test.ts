import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/observability/metrics.js';
import { promqlReferences, templateLabels } from '../support/promql.js';
import { startServer, type RunningServer } from '../support/server.js';

/**
 * Keeps deploy/grafana and deploy/prometheus true: every metric their PromQL names is one the real
 * server exposes on /metrics (the CLI with every role), and every label they group by, match on or
 * print is one those metrics carry or Prometheus adds to every target (prometheus.yml). A renamed
 * or removed metric fails here instead of leaving an empty panel or an alert that can never fire.
 */
const read = (path: string): string => readFileSync(new URL(`../../deploy/${path}`, import.meta.url), 'utf8');

/** Made by Prometheus itself for every target, not by the process. */
const PROMETHEUS_SERIES = new Set(['up']);
/** Labels Prometheus adds to every series it scrapes: the job, the target, and prometheus.yml's `role`. */
const TARGET_LABELS = ['job', 'instance', 'role'];

interface Query {
  readonly where: string;
  readonly expr: string;
  /** Labels the panel's legend or the alert's annotations print. */
  readonly printed: readonly string[];
}

interface Panel {
  title?: string;
  targets?: { expr?: string; legendFormat?: string }[];
  panels?: Panel[];
}

function dashboardQueries(): Query[] {
  const dashboard = JSON.parse(read('grafana/dashboards/tickstream.json')) as { panels: Panel[] };
  const out: Query[] = [];
  const visit = (panel: Panel): void => {
    for (const target of panel.targets ?? []) {
      if (target.expr) out.push({ where: `dashboard panel "${panel.title}"`, expr: target.expr, printed: templateLabels(target.legendFormat ?? '') });
    }
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels) visit(panel);
  return out;
}

function ruleQueries(): Query[] {
  const rules = parse(read('prometheus/alerts.yml')) as { groups: { rules: { alert: string; expr: string; annotations?: Record<string, string> }[] }[] };
  return rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr, printed: Object.values(r.annotations ?? {}).flatMap(templateLabels).filter((l) => l !== 'value') })),
  );
}

/** Metric families of the exposition text: `# TYPE` lines are there even before a labelled metric has a sample. */
function exposedSeries(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

/** Label names of each series name, from the metric definitions (the text has no labels before a first sample). */
function labelsBySeries(): Map<string, Set<string>> {
  const { registry } = createMetrics({ defaultMetrics: true });
  const out = new Map<string, Set<string>>();
  for (const metric of registry.getMetricsAsArray()) {
    const labels = new Set((metric as unknown as { labelNames?: string[] }).labelNames ?? []);
    for (const suffix of ['', '_bucket', '_sum', '_count']) out.set(metric.name + suffix, suffix === '_bucket' ? new Set([...labels, 'le']) : labels);
  }
  return out;
}

const queries = [...dashboardQueries(), ...ruleQueries()];
let server: RunningServer;
let exposed: Set<string>;

beforeAll(async () => {
  // Every role in one process: every role's metrics are registered (they are per role otherwise).
  server = await startServer({ ROLES: 'all', TICK_RATE: '20' });
  exposed = exposedSeries(await (await fetch(`${server.http}/metrics`)).text());
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('deploy/grafana and deploy/prometheus query what the server exposes', () => {
  it('has queries to check (the dashboard has panels, the rules alerts)', () => {
    expect(dashboardQueries().length).toBeGreaterThan(20);
    expect(ruleQueries().length).toBeGreaterThan(10);
  });

  it.each(queries.map((q) => [q.where, q.expr, q] as const))('%s: %s', (_where, _expr, query) => {
    const { metrics, labels } = promqlReferences(query.expr);
    expect(metrics.size, 'a query names at least one metric').toBeGreaterThan(0);
    const missing = [...metrics].filter((m) => !PROMETHEUS_SERIES.has(m) && !exposed.has(m));
    expect(missing, `metrics not on /metrics of ROLES=all`).toEqual([]);
    const definitions = labelsBySeries();
    const known = new Set([...TARGET_LABELS, ...[...metrics].flatMap((m) => [...(definitions.get(m) ?? [])])]);
    const unknown = [...labels, ...query.printed].filter((l) => !known.has(l));
    expect(unknown, `labels none of ${[...metrics].join(', ')} carries`).toEqual([]);
  });
});
