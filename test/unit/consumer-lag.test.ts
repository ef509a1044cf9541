import { describe, expect, it } from 'vitest';
import { ConsumerLagMonitor } from '../../src/observability/consumer-lag.js';
import type { Logger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';

/** A logger that keeps the messages of warn and info. */
function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const logger = {
    warn: (_obj: unknown, msg: string) => lines.push({ level: 'warn', msg }),
    info: (_obj: unknown, msg: string) => lines.push({ level: 'info', msg }),
  } as unknown as Logger;
  return { logger, lines };
}

const sample = async (metrics: ReturnType<typeof createMetrics>, name: string): Promise<string[]> =>
  (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => l && !l.startsWith('#'));

describe('ConsumerLagMonitor', () => {
  it('sets the lag of each group and partition it reads from the log', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const lags: Record<string, Map<number, number>> = { processor: new Map([[0, 12], [1, 0]]), alerts: new Map([[0, 3]]) };
    const monitor = new ConsumerLagMonitor({ log: { consumerLag: async (group) => lags[group]! }, groups: ['processor', 'alerts'], metrics, logger: recordingLogger().logger });
    await monitor.start();
    await monitor.stop();
    expect(await sample(metrics, 'tickstream_eventlog_consumer_lag')).toEqual([
      'tickstream_eventlog_consumer_lag{group="processor",partition="0"} 12',
      'tickstream_eventlog_consumer_lag{group="processor",partition="1"} 0',
      'tickstream_eventlog_consumer_lag{group="alerts",partition="0"} 3',
    ]);
  });

  it('keeps the last values when a read fails, counts each failure and warns once per streak', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { logger, lines } = recordingLogger();
    let failing = false;
    const log = {
      consumerLag: async () => {
        if (failing) throw new Error('engine down');
        return new Map([[0, 7]]);
      },
    };
    const monitor = new ConsumerLagMonitor({ log, groups: ['orders'], metrics, logger });
    const measure = async (): Promise<void> => {
      await monitor.start();
      await monitor.stop();
    };
    await measure();
    failing = true;
    await measure();
    await measure();
    expect(await sample(metrics, 'tickstream_eventlog_consumer_lag')).toEqual(['tickstream_eventlog_consumer_lag{group="orders",partition="0"} 7']);
    expect(await sample(metrics, 'tickstream_eventlog_lag_measurement_failures_total')).toEqual(['tickstream_eventlog_lag_measurement_failures_total{group="orders"} 2']);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    failing = false;
    await measure();
    expect(lines.at(-1)).toEqual({ level: 'info', msg: 'reading the consumer lag works again' });
  });

  it('does nothing for a log that cannot tell its lag', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const monitor = new ConsumerLagMonitor({ log: {}, groups: ['processor'], metrics, logger: recordingLogger().logger });
    await monitor.start();
    await monitor.stop();
    expect(await sample(metrics, 'tickstream_eventlog_consumer_lag')).toEqual([]);
  });
});
