import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { Market } from '../../src/domain/price-model.js';
import { seededRandom } from '../../src/domain/random.js';
import type { Tick } from '../../src/domain/tick.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { LogRecordInput } from '../../src/ports/event-log.js';
import { GeneratorService } from '../../src/services/generator.js';
import { sleep, waitFor } from '../support/wait.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];
const market = () =>
  new Market(
    SYMBOLS.map((symbol) => ({ symbol, basePrice: 100, drift: 0, volatility: 0.2 })),
    seededRandom(7),
    { speed: 60, source: 'test' },
  );

/** The in-process log, refusing appends while `down` (an outage as the generator sees it). */
class FlakyLog extends MemoryEventLog<Tick> {
  down = false;
  refused = 0;
  readonly taken: Tick[] = [];
  override async append(records: readonly LogRecordInput<Tick>[]): Promise<void> {
    if (this.down) {
      this.refused++;
      throw new Error('connection lost');
    }
    await super.append(records);
    this.taken.push(...records.map((r) => r.value));
  }
}

const generators: GeneratorService[] = [];
afterEach(async () => {
  for (const g of generators.splice(0)) await g.stop();
});

const generator = (log: FlakyLog, m = market()) => {
  const g = new GeneratorService({ market: m, log, ticksPerSecond: 2_000, metrics: createMetrics(), logger: pino({ level: 'silent' }), retryBackoffMs: 10 });
  generators.push(g);
  return g;
};

/** Every symbol's seqs, in the order the log took them, must be 1, 2, 3… with nothing missing or repeated. */
const problems = (ticks: readonly Tick[]): string[] => {
  const last = new Map<string, number>();
  const found: string[] = [];
  for (const t of ticks) {
    const expected = (last.get(t.symbol) ?? 0) + 1;
    if (t.seq !== expected) found.push(`${t.symbol}: ${expected - 1} → ${t.seq}`);
    last.set(t.symbol, t.seq);
  }
  return found;
};

describe('GeneratorService', () => {
  it('keeps numbered ticks through an outage and appends them in order, with no hole', async () => {
    const log = new FlakyLog({ partitions: 2, retention: 1_000_000 });
    await generator(log).start();
    await waitFor(() => log.taken.length > 100, 'ticks before the outage');
    log.down = true;
    await waitFor(() => log.refused >= 5, 'appends refused during the outage');
    const duringOutage = log.taken.length;
    await sleep(50);
    expect(log.taken.length).toBe(duringOutage);
    log.down = false;
    await waitFor(() => log.taken.length > duringOutage + 100, 'ticks after the outage');
    expect(problems(log.taken)).toEqual([]);
  });

  it('a restarted generator continues each symbol from the log, not from an empty store', async () => {
    const log = new FlakyLog({ partitions: 2, retention: 1_000_000 });
    const first = generator(log);
    await first.start();
    await waitFor(() => log.taken.length > 100, 'ticks from the first generator');
    await first.stop();
    const second = generator(log, market());
    await second.start();
    const before = log.taken.length;
    await waitFor(() => log.taken.length > before + 100, 'ticks from the second generator');
    expect(problems(log.taken)).toEqual([]);
  });
});
