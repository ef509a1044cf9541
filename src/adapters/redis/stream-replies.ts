/** A stream entry as Redis returns it: fields null when the entry was trimmed while pending. */
export interface RawEntry {
  readonly id: string;
  readonly fields: Record<string, string> | null;
}

/**
 * Raw XREADGROUP / XAUTOCLAIM replies, parsed here rather than by node-redis's typed commands:
 * those throw on an entry trimmed while pending (fields nil), which would wedge a member that
 * holds one, retrying the same read forever.
 */
export function parseEntries(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry) => {
    const [id, flat] = entry as [unknown, unknown];
    let fields: Record<string, string> | null = null;
    if (Array.isArray(flat)) {
      fields = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
    }
    return { id: String(id), fields };
  });
}

/** XREADGROUP over several streams: RESP3 map `{ stream: entries }`, RESP2 `[[stream, entries], …]`, or null. */
export function parseReadGroup(raw: unknown): { stream: string; entries: RawEntry[] }[] {
  if (raw === null || raw === undefined) return [];
  const pairs: [unknown, unknown][] = Array.isArray(raw)
    ? raw.map((s) => s as [unknown, unknown])
    : raw instanceof Map
      ? [...raw.entries()]
      : Object.entries(raw as Record<string, unknown>);
  return pairs.map(([stream, entries]) => ({ stream: String(stream), entries: parseEntries(entries) }));
}

/** XAUTOCLAIM: `[next cursor, claimed entries, ids deleted from the stream meanwhile]`. */
export function parseAutoClaim(raw: unknown): { cursor: string; entries: RawEntry[]; deleted: string[] } {
  const [cursor, entries, deleted] = raw as [unknown, unknown, unknown];
  return { cursor: String(cursor), entries: parseEntries(entries), deleted: Array.isArray(deleted) ? deleted.map(String) : [] };
}
