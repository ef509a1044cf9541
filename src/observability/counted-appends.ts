import type { EventLog } from '../ports/event-log.js';
import type { Metrics } from './metrics.js';

/**
 * Counts appends to the tick log where they happen, whoever calls (generator, ingestor, ingest
 * API): records appended, and appends that failed. Wrapped in place, as tracing wraps adapters, so
 * the adapter keeps its type; the cost is one settled promise per append call (a batch).
 */
export function countAppends<T>(log: EventLog<T>, metrics: Pick<Metrics, 'eventLogRecordsAppended' | 'eventLogAppendFailures'>): void {
  const append = log.append.bind(log);
  log.append = async (records) => {
    try {
      await append(records);
    } catch (error) {
      metrics.eventLogAppendFailures.inc();
      throw error;
    }
    metrics.eventLogRecordsAppended.inc(records.length);
  };
}
