import { describe, expect, it } from 'vitest';
import type { TickSequencer } from '../../src/ports/sequencer.js';

export interface SequencerFixture {
  readonly sequencer: TickSequencer;
  /** A second sequencer on the same state (another process, or this one after a restart); undefined in memory. */
  reopen?(): Promise<TickSequencer>;
  cleanup(): Promise<void>;
}

/** The promises of src/ports/sequencer.ts, run against every adapter. */
export function sequencerContract(name: string, open: () => Promise<SequencerFixture>): void {
  describe(`TickSequencer contract: ${name}`, () => {
    it('numbers each symbol densely from 1 in request order', async () => {
      const { sequencer, cleanup } = await open();
      try {
        expect(await sequencer.assign([{ symbol: 'AAPL', source: 'a' }, { symbol: 'MSFT', source: 'a' }, { symbol: 'AAPL', source: 'b' }])).toEqual([1, 1, 2]);
        expect(await sequencer.assign([{ symbol: 'AAPL', source: 'a' }])).toEqual([3]);
        expect(await sequencer.assign([])).toEqual([]);
      } finally {
        await cleanup();
      }
    });

    it('answers 0 for a producer seq at or below the highest seen for its (source, symbol), and numbers nothing for it', async () => {
      const { sequencer, cleanup } = await open();
      try {
        const first = await sequencer.assign([
          { symbol: 'AAPL', source: 'desk', sourceSeq: 10 },
          { symbol: 'AAPL', source: 'desk', sourceSeq: 10 },
          { symbol: 'AAPL', source: 'desk', sourceSeq: 9 },
          { symbol: 'AAPL', source: 'other', sourceSeq: 10 },
          { symbol: 'MSFT', source: 'desk', sourceSeq: 10 },
          { symbol: 'AAPL', source: 'desk', sourceSeq: 11 },
        ]);
        expect(first).toEqual([1, 0, 0, 2, 1, 3]);
        expect(await sequencer.assign([{ symbol: 'AAPL', source: 'desk', sourceSeq: 11 }, { symbol: 'AAPL', source: 'desk' }])).toEqual([0, 4]);
      } finally {
        await cleanup();
      }
    });

    it('seeding only ever raises a counter', async () => {
      const { sequencer, cleanup } = await open();
      try {
        await sequencer.assign([{ symbol: 'AAPL', source: 's' }, { symbol: 'AAPL', source: 's' }]);
        await sequencer.seed(new Map([['AAPL', 1], ['MSFT', 40]]));
        expect(await sequencer.assign([{ symbol: 'AAPL', source: 's' }, { symbol: 'MSFT', source: 's' }])).toEqual([3, 41]);
      } finally {
        await cleanup();
      }
    });

    it('never hands out a number twice, across instances and concurrent calls', async () => {
      const fixture = await open();
      try {
        const other = fixture.reopen ? await fixture.reopen() : fixture.sequencer;
        const calls = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fixture.sequencer : other).assign([{ symbol: 'AAPL', source: 's' }, { symbol: 'AAPL', source: 's' }]));
        const seqs = (await Promise.all(calls)).flat().sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        if (other !== fixture.sequencer) await other.close();
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
