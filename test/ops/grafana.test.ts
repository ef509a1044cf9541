import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The dashboard JSON as Grafana loads it: unique panel ids, panels that do not overlap on the grid,
 * and every query on the dashboard's datasource variable (so it works with any Prometheus chosen
 * there, the provisioned one by default). What the queries ask for is dashboard-metrics.test.ts's.
 */
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { datasource?: { type: string; uid: string } }[];
}
const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/dashboards/tickstream.json', import.meta.url), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
};

describe('deploy/grafana/dashboards/tickstream.json', () => {
  it('has unique panel ids and a stable uid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.uid).toBe('tickstream-overview');
  });

  it('lays panels out without overlaps, within the 24-column grid', () => {
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const key = `${col},${row}`;
          expect(cells.get(key), `${panel.title} overlaps`).toBeUndefined();
          cells.set(key, panel.title);
        }
      }
    }
  });

  it('queries through its Prometheus datasource variable', () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(panel.datasource);
    }
  });
});
