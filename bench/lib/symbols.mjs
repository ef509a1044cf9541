// @ts-check
// The benchmark's universe and who subscribes to what.

/** SYM000 … SYM{S-1}: fixed width, so clients read the symbol's index from its digits. */
export function makeSymbols(count) {
  return Array.from({ length: count }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each of `n` clients picks `k` distinct symbols; symbol i has popularity ∝ 1/(i+1)^s (Zipf).
 * Deterministic for a seed, so every server in a run gets exactly the same clients.
 */
export function zipfSubscriptions({ n, k, symbols, s = 1, seed = 7 }) {
  const random = mulberry32(seed);
  const weights = symbols.map((_, i) => 1 / Math.pow(i + 1, s));
  const out = [];
  for (let c = 0; c < n; c++) {
    const w = weights.slice();
    let total = w.reduce((a, b) => a + b, 0);
    const picked = [];
    for (let j = 0; j < Math.min(k, symbols.length); j++) {
      let r = random() * total;
      let i = 0;
      while (i < w.length - 1 && (r -= w[i]) > 0) i++;
      if (w[i] === 0) i = w.findIndex((x) => x > 0);
      picked.push(symbols[i]);
      total -= w[i];
      w[i] = 0;
    }
    out.push(picked.sort());
  }
  return out;
}

/** Deliveries per second the source offers: rate/S ticks per symbol per second × its subscribers. */
export function offeredPerSecond(subscriptions, symbolCount, rate) {
  let subs = 0;
  for (const list of subscriptions) subs += list.length;
  return (subs * rate) / symbolCount;
}
