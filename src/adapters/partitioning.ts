/**
 * Key → partition, the same function in every adapter that partitions: FNV-1a over the key's
 * UTF-16 code units (keys are symbols, ASCII in practice).
 */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
