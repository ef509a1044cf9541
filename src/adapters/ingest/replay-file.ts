import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { fieldOf, mapHeader, readRecord } from '../../domain/ingest/replay-record.js';
import type { SourceTrade } from '../../ports/ingest-source.js';

export type FileEntry = { readonly line: number; readonly trade: SourceTrade } | { readonly line: number; readonly problem: string };

/** The file cannot be replayed at all (missing, unreadable, no usable header). */
export class ReplayFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayFileError';
  }
}

export type FileFormat = 'csv' | 'ndjson';

/** `.csv` is CSV, `.ndjson`/`.jsonl`/`.json` is NDJSON; anything else by its first character. */
function formatOf(path: string, firstLine: string): FileFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(nd)?jsonl?$|\.ndjson$/i.test(path)) return 'ndjson';
  return firstLine.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

/** Fails with the reason when the file cannot be opened for reading. */
export async function checkReadable(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    const stat = await handle.stat();
    await handle.close();
    if (stat.isDirectory()) throw new ReplayFileError(`${path} is a directory`);
  } catch (error) {
    if (error instanceof ReplayFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error);
    throw new ReplayFileError(`cannot read ${path}: ${why}`);
  }
}

/** Data lines in the file (blank lines and a CSV header excluded), for progress and ETA. */
export async function countRecords(path: string): Promise<number> {
  let count = 0;
  let first = true;
  let csv = false;
  for await (const line of lines(path)) {
    if (line.trim() === '') continue;
    if (first) {
      first = false;
      csv = formatOf(path, line) === 'csv';
      if (csv) continue;
    }
    count++;
  }
  return count;
}

/**
 * The trades of a CSV (with a header) or NDJSON file, in file order, each with its line number;
 * a line that cannot be read comes out as a problem instead, and reading goes on.
 */
export async function* readReplayFile(path: string): AsyncGenerator<FileEntry> {
  await checkReadable(path);
  let format: FileFormat | undefined;
  let header: Record<'symbol' | 'price' | 'size' | 'ts', number> | undefined;
  let lineNumber = 0;
  for await (const line of lines(path)) {
    lineNumber++;
    if (line.trim() === '') continue;
    format ??= formatOf(path, line);
    if (format === 'csv') {
      const cells = csvCells(line);
      if (!header) {
        const mapped = cells ? mapHeader(cells) : { problem: 'the header is not valid CSV' };
        if ('problem' in mapped) throw new ReplayFileError(`${path} line ${lineNumber}: ${mapped.problem}`);
        header = mapped.index;
        continue;
      }
      if (!cells) {
        yield { line: lineNumber, problem: 'not valid CSV' };
        continue;
      }
      const index = header;
      const result = readRecord((part) => (index[part] >= 0 ? cells[index[part]] : undefined));
      yield 'trade' in result ? { line: lineNumber, trade: result.trade } : { line: lineNumber, problem: result.problem };
    } else {
      let object: unknown;
      try {
        object = JSON.parse(line);
      } catch {
        yield { line: lineNumber, problem: 'not valid JSON' };
        continue;
      }
      if (typeof object !== 'object' || object === null || Array.isArray(object)) {
        yield { line: lineNumber, problem: 'not a JSON object' };
        continue;
      }
      const result = readRecord((part) => fieldOf(object as Record<string, unknown>, part));
      yield 'trade' in result ? { line: lineNumber, trade: result.trade } : { line: lineNumber, problem: result.problem };
    }
  }
  if (format === 'csv' && !header) throw new ReplayFileError(`${path} has no header line`);
}

function csvCells(line: string): string[] | undefined {
  try {
    const rows = parse(line, { relax_column_count: true, trim: true }) as string[][];
    return rows[0];
  } catch {
    return undefined;
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    yield* reader;
  } finally {
    reader.close();
    stream.destroy();
  }
}
