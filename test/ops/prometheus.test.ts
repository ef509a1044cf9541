import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promtool } from '../support/promtool.js';

/**
 * deploy/prometheus is what an operator loads as it is: Prometheus's own checker accepts the
 * configuration and the rules, and the rules' unit tests (alerts.test.yml: each alert fires on the
 * series that should fire it, not before its `for:`, with its annotations as rendered) pass.
 */
const file = (name: string): string => fileURLToPath(new URL(`../../deploy/prometheus/${name}`, import.meta.url));

describe('deploy/prometheus', () => {
  it('prometheus.yml passes `promtool check config`, rule files included', async () => {
    const result = await promtool(['check', 'config', file('prometheus.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).not.toContain('FAILED');
    expect(result.code).toBe(0);
  });

  it('alerts.yml passes `promtool check rules`', async () => {
    const result = await promtool(['check', 'rules', file('alerts.yml')]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.code).toBe(0);
  });

  it('the alert rules pass their unit tests (`promtool test rules alerts.test.yml`)', async () => {
    const result = await promtool(['test', 'rules', file('alerts.test.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});
