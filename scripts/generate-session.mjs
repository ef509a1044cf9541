#!/usr/bin/env node
// Writes examples/session.csv: a generated (not recorded) trading session for `tickstream replay`
// and INGEST_SOURCE=file. Deterministic: the same file every run. Usage: node scripts/generate-session.mjs
import { writeFileSync } from 'node:fs';

const START = Date.parse('2026-01-05T14:30:00Z'); // a Monday's open, 09:30 New York
const MINUTES = 10;
const SYMBOLS = { AAPL: 190, MSFT: 410, NVDA: 480, TSLA: 250, AMZN: 150 };

// A small linear congruential generator: reproducible without a dependency.
let state = 20260105;
const random = () => ((state = (state * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);

const prices = { ...SYMBOLS };
const rows = ['timestamp,symbol,price,size'];
let t = START;
while (t < START + MINUTES * 60_000) {
  t += 50 + Math.floor(random() * 400); // a trade every 50–450 ms over all symbols
  const symbols = Object.keys(prices);
  const symbol = symbols[Math.floor(random() * symbols.length)];
  prices[symbol] *= 1 + (random() - 0.5) * 0.002;
  const size = random() < 0.7 ? 100 * (1 + Math.floor(random() * 5)) : 1 + Math.floor(random() * 99);
  rows.push(`${new Date(t).toISOString()},${symbol},${prices[symbol].toFixed(2)},${size}`);
}
writeFileSync(new URL('../examples/session.csv', import.meta.url), rows.join('\n') + '\n');
console.log(`examples/session.csv: ${rows.length - 1} trades over ${MINUTES} minutes`);
