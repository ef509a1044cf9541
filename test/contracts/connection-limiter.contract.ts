import { describe, expect, it } from 'vitest';
import type { ConnectionLimiter } from '../../src/ports/connection-limiter.js';
import { waitFor } from '../support/wait.js';

export interface LimiterSettings {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface ConnectionLimiterFixture {
  /** Started, with buckets private to this test. */
  readonly limiter: ConnectionLimiter;
  /** Another limiter on the same buckets (a second gateway); undefined where buckets are per process. */
  reopen?(): Promise<ConnectionLimiter>;
  cleanup(): Promise<void>;
}

export type ConnectionLimiterFactory = (settings: LimiterSettings) => Promise<ConnectionLimiterFixture>;

/** A refill so slow that no token comes back while a test runs: every refusal is the bucket's. */
const NO_REFILL = 0.001;

/** The promises of src/ports/connection-limiter.ts, run against every adapter. */
export function connectionLimiterContract(name: string, open: ConnectionLimiterFactory): void {
  describe(`ConnectionLimiter contract: ${name}`, () => {
    const using = async (settings: LimiterSettings, test: (fixture: ConnectionLimiterFixture) => Promise<void>): Promise<void> => {
      const fixture = await open(settings);
      try {
        await test(fixture);
      } finally {
        await fixture.cleanup();
      }
    };

    it('is ready once started', () =>
      using({ ratePerSecond: 1, burst: 1 }, async ({ limiter }) => {
        await expect(limiter.ping()).resolves.toBeUndefined();
      }));

    it('allows `burst` connections from an address, then refuses it', () =>
      using({ ratePerSecond: NO_REFILL, burst: 3 }, async ({ limiter }) => {
        const decisions: boolean[] = [];
        for (let i = 0; i < 5; i++) decisions.push(await limiter.allow('10.0.0.1'));
        expect(decisions).toEqual([true, true, true, false, false]);
      }));

    it('keeps a bucket per address, IPv4 and IPv6 alike', () =>
      using({ ratePerSecond: NO_REFILL, burst: 1 }, async ({ limiter }) => {
        expect(await limiter.allow('10.0.0.1')).toBe(true);
        expect(await limiter.allow('10.0.0.1')).toBe(false);
        expect(await limiter.allow('10.0.0.2')).toBe(true);
        expect(await limiter.allow('2001:db8::1')).toBe(true);
        expect(await limiter.allow('::ffff:10.0.0.1')).toBe(true);
        expect(await limiter.allow('2001:db8::1')).toBe(false);
      }));

    it('decides each call in one atomic step: concurrent callers never spend the same token', () =>
      using({ ratePerSecond: NO_REFILL, burst: 4 }, async ({ limiter }) => {
        const decisions = await Promise.all(Array.from({ length: 12 }, () => limiter.allow('10.0.0.3')));
        expect(decisions.filter(Boolean)).toHaveLength(4);
      }));

    it('gives tokens back at `ratePerSecond`', () =>
      // With a bucket of one, any second "yes" is a token that came back.
      using({ ratePerSecond: 20, burst: 1 }, async ({ limiter }) => {
        expect(await limiter.allow('10.0.0.4')).toBe(true);
        await waitFor(() => limiter.allow('10.0.0.4'), 'a refilled token');
      }));

    it('shares an address’s bucket between limiters on the same state, where the adapter shares', () =>
      using({ ratePerSecond: NO_REFILL, burst: 4 }, async (fixture) => {
        const other = fixture.reopen ? await fixture.reopen() : fixture.limiter;
        try {
          const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? fixture.limiter : other).allow('10.0.0.5')));
          expect(decisions.filter(Boolean)).toHaveLength(4);
        } finally {
          if (other !== fixture.limiter) await other.close();
        }
      }));
  });
}
