import type { Clients, Produced } from './distributed.js';
import { waitFor } from './wait.js';

/**
 * What a distributed run delivered, counted against the tick log (ground truth) instead of
 * asserted tick by tick, so a failing run still reports how much went wrong:
 * - lost: logged ticks missing from the store's history (or stored with another price);
 * - duplicated: ticks the store's history holds more than once;
 * - staleLatest: symbols whose latest price is not the log's last tick;
 * - clientGaps / clientDuplicates / clientMissing: per client and symbol, jumps in `seq`, a `seq`
 *   seen again (or going back), and logged ticks the client never saw.
 */
export interface DeliveryFigures {
  ticks: number;
  lost: number;
  duplicated: number;
  staleLatest: number;
  clientGaps: number;
  clientDuplicates: number;
  clientMissing: number;
}

const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

/** Waits (bounded) for the store and the clients to reach the log's end, then counts. */
export async function deliveryFigures(produced: Map<string, Produced[]>, { gateways, clients }: Clients): Promise<DeliveryFigures> {
  const api = gateways[0]!.http;
  const last = (symbol: string): Produced => produced.get(symbol)!.at(-1)!;
  // Not assertions: whatever has not converged by then is counted below as stale or missing.
  await waitFor(async () => {
    const { quotes } = await json<{ quotes: { symbol: string; seq: number }[] }>(`${api}/api/v1/quotes`);
    return quotes.length === produced.size && quotes.every((q) => q.seq === last(q.symbol).seq);
  }, 'the store to hold the last tick of every symbol', 60_000, 200).catch(() => undefined);
  await waitFor(() => clients.every(({ client, symbols }) => symbols.every((s) => client.ticks(s).at(-1)?.seq === last(s).seq)), 'every client to reach the last tick', 30_000, 100).catch(
    () => undefined,
  );

  const figures: DeliveryFigures = { ticks: 0, lost: 0, duplicated: 0, staleLatest: 0, clientGaps: 0, clientDuplicates: 0, clientMissing: 0 };
  for (const [symbol, list] of produced) {
    figures.ticks += list.length;
    const { ticks } = await json<{ ticks: { seq: number; price: number }[] }>(`${api}/api/v1/ticks/${symbol}?limit=5000`);
    const stored = new Map<number, number>();
    for (const t of ticks) {
      if (stored.has(t.seq)) figures.duplicated++;
      stored.set(t.seq, t.price);
    }
    for (const t of list) if (stored.get(t.seq) !== t.price) figures.lost++;
    const { data } = await json<{ data?: { price: number; seq?: number } }>(`${api}/price/${symbol}`);
    if (data?.price !== last(symbol).price) figures.staleLatest++;
  }
  for (const { client, symbols } of clients) {
    for (const s of symbols) {
      const seen = client.ticks(s);
      const unique = new Set<number>();
      for (let i = 0; i < seen.length; i++) {
        unique.add(seen[i]!.seq);
        if (i === 0) continue;
        const step = seen[i]!.seq - seen[i - 1]!.seq;
        if (step <= 0) figures.clientDuplicates++;
        else if (step > 1) figures.clientGaps++;
      }
      figures.clientMissing += produced.get(s)!.filter((t) => !unique.has(t.seq)).length;
    }
  }
  return figures;
}
