import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../src/domain/alerts/alert.js';
import { AlertBook } from '../../src/domain/alerts/alert-book.js';

const rule = (id: number, revision: number, overrides: Partial<AlertRule> = {}): AlertRule => ({
  id, userId: 1, symbol: 'AAPL', condition: 'above', threshold: 100, mode: 'once', cooldownSeconds: 0,
  status: 'active', armed: true, lastFiredSeq: null, lastFiredTs: null, revision, ...overrides,
});

describe('AlertBook', () => {
  it('indexes active alerts by symbol', () => {
    const book = new AlertBook();
    book.put(rule(1, 1));
    book.put(rule(2, 2, { symbol: 'MSFT' }));
    expect(book.forSymbol('AAPL').map((r) => r.id)).toEqual([1]);
    expect(book.forSymbol('MSFT').map((r) => r.id)).toEqual([2]);
    expect(book.forSymbol('TSLA')).toEqual([]);
    expect(book.size).toBe(2);
  });

  it('keeps the newest revision: an older one arriving late changes nothing', () => {
    const book = new AlertBook();
    book.put(rule(1, 5, { threshold: 120 }));
    book.put(rule(1, 4, { threshold: 100 }));
    expect(book.get(1)?.threshold).toBe(120);
  });

  it('an alert that stops being active leaves, and an older active version cannot bring it back', () => {
    const book = new AlertBook();
    book.put(rule(1, 1));
    book.put(rule(1, 2, { status: 'triggered' }));
    expect(book.forSymbol('AAPL')).toEqual([]);
    book.put(rule(1, 1));
    expect(book.size).toBe(0);
    // Re-activated later (a newer revision): back in.
    book.put(rule(1, 3));
    expect(book.forSymbol('AAPL').map((r) => r.revision)).toEqual([3]);
  });

  it('a deleted alert stays out whatever revision arrives', () => {
    const book = new AlertBook();
    book.put(rule(1, 1));
    book.delete(1);
    book.put(rule(1, 99));
    expect(book.size).toBe(0);
  });

  it('keeps the order alerts joined in when they are updated', () => {
    const book = new AlertBook();
    for (const id of [1, 2, 3]) book.put(rule(id, id));
    book.put(rule(1, 10, { armed: false }));
    expect(book.forSymbol('AAPL').map((r) => r.id)).toEqual([1, 2, 3]);
    book.put(rule(2, 11, { symbol: 'MSFT' }));
    expect(book.forSymbol('AAPL').map((r) => r.id)).toEqual([1, 3]);
  });

  it('snapshots are safe to iterate while the book changes', () => {
    const book = new AlertBook();
    book.put(rule(1, 1));
    book.put(rule(2, 1));
    const seen: number[] = [];
    for (const r of book.forSymbol('AAPL')) {
      seen.push(r.id);
      book.delete(2);
    }
    expect(seen).toEqual([1, 2]);
  });
});
