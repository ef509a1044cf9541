/**
 * A stream entry as Redis returns it: its flat field list `[field, value, …]` as is (see
 * packed-entries.ts for what it holds), null when the entry was trimmed while pending.
 */
export interface StreamEntry {
  readonly id: string;
  readonly partition: number;
  readonly fields: readonly unknown[] | null;
}

/**
 * Raw XREADGROUP / XAUTOCLAIM replies, parsed here rather than by node-redis's typed commands:
 * those throw on an entry trimmed while pending (fields nil), which would wedge a member that
 * holds one, retrying the same read forever; and they turn every entry's fields into an object,
 * which a packed entry's repeated field names would not survive anyway.
 */
function parseEntries(raw: unknown, partition: number, into: StreamEntry[]): void {
  if (!Array.isArray(raw)) return;
  for (const entry of raw as [unknown, unknown][]) {
    const fields = entry[1];
    into.push({ id: String(entry[0]), partition, fields: Array.isArray(fields) ? fields : null });
  }
}

/** XREADGROUP over several streams: RESP3 map `{ stream: entries }`, RESP2 `[[stream, entries], …]`, or null. */
export function parseReadGroup(raw: unknown, partitionOf: ReadonlyMap<string, number>): StreamEntry[] {
  if (raw === null || raw === undefined) return [];
  const pairs: [unknown, unknown][] = Array.isArray(raw)
    ? (raw as [unknown, unknown][])
    : raw instanceof Map
      ? [...raw.entries()]
      : Object.entries(raw as Record<string, unknown>);
  const entries: StreamEntry[] = [];
  for (const [stream, list] of pairs) parseEntries(list, partitionOf.get(String(stream)) ?? 0, entries);
  return entries;
}

/** XAUTOCLAIM: `[next cursor, claimed entries, ids deleted from the stream meanwhile]`. */
export function parseAutoClaim(raw: unknown, partition: number): { cursor: string; entries: StreamEntry[] } {
  const [cursor, list] = raw as [unknown, unknown];
  const entries: StreamEntry[] = [];
  parseEntries(list, partition, entries);
  return { cursor: String(cursor), entries };
}
