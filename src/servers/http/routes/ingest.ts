import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../../../domain/errors.js';
import type { SourceTrade } from '../../../ports/ingest-source.js';
import type { TickIntake, TradeOutcome } from '../../../services/ingest/intake.js';
import { sendError } from '../errors.js';
import type { IngestKeys } from '../ingest-keys.js';
import { ErrorSchema } from '../schemas.js';

export interface IngestRouteOptions {
  readonly keys: IngestKeys;
  /** Absent in a process that does not ingest (no keys): the route answers INGEST_NOT_ENABLED. */
  readonly intake: TickIntake | undefined;
  readonly maxBatch: number;
}

const FIELDS = new Set(['symbol', 'price', 'size', 'ts', 'seq', 'source']);
const SOURCE_SUFFIX = /^[a-z0-9._:-]{1,64}$/;
/** Bytes a tick takes at most in a batch, generously: the body limit follows from INGEST_MAX_BATCH. */
const BYTES_PER_TICK = 512;

const TickInput = Type.Object(
  {
    symbol: Type.String({ description: 'A-Z 0-9 . - up to 15, starting with a letter; new symbols join the universe (INGEST_MAX_SYMBOLS) unless SYMBOLS is set.' }),
    price: Type.Number({ exclusiveMinimum: 0, description: 'Finite, greater than 0.' }),
    size: Type.Optional(Type.Number({ minimum: 0, description: 'Default 0.' })),
    ts: Type.Optional(Type.Integer({ description: 'Epoch milliseconds at the source, within INGEST_MAX_SKEW_MS of the server clock; default: now.' })),
    seq: Type.Optional(Type.Integer({ minimum: 1, description: 'Your own number, increasing per (source, symbol): a seq at or below the highest one taken is answered as a duplicate.' })),
    source: Type.Optional(Type.String({ description: 'The key’s name (default) or `name:anything`.' })),
  },
  { additionalProperties: false },
);

const Rejection = Type.Object({
  index: Type.Integer({ description: 'Position in the batch (0-based; for NDJSON, the line number minus 1).' }),
  code: Type.String({ description: 'A stable error code (see the error table).' }),
  message: Type.String(),
});
const IngestReply = Type.Object({ accepted: Type.Integer(), duplicate: Type.Integer(), rejected: Type.Array(Rejection) });

type Item = { trade: SourceTrade; source: string } | { code: ErrorCode; message: string };

/**
 * `POST /api/v1/ticks`: ticks from programs, under an ingest key. Each item is judged on its own:
 * the answer counts the accepted and duplicate ones and lists every rejected one with its code.
 * The body is validated here rather than by the schema (which documents it), so that one bad item
 * does not refuse its batch.
 */
export const ingestRoutes: FastifyPluginAsyncTypebox<IngestRouteOptions> = async (app, { keys, intake, maxBatch }) => {
  app.addContentTypeParser(['application/x-ndjson', 'application/ndjson'], { parseAs: 'string' }, (_request, body, done) => {
    done(null, { ndjson: String(body) });
  });

  app.post('/ticks', {
    bodyLimit: Math.max(64 * 1024, maxBatch * BYTES_PER_TICK),
    validatorCompiler: () => (value) => ({ value }),
    schema: {
      tags: ['ingest'],
      summary: 'Append ticks from a producer (JSON array, or NDJSON with content-type application/x-ndjson)',
      description: `Authorized by an ingest key (\`Authorization: Bearer <secret>\` of an INGEST_API_KEYS entry). At most INGEST_MAX_BATCH ticks per request. Each tick is checked on its own: ${['INVALID_SYMBOL', 'INVALID_PRICE', 'INVALID_SIZE', 'INVALID_TIMESTAMP', 'INVALID_SEQ', 'INVALID_SOURCE', 'UNKNOWN_SYMBOL', 'SYMBOL_LIMIT', 'SIMULATED_SYMBOL', 'MALFORMED'].join(', ')}. Accepted ticks are numbered per symbol and appended to the tick log in batch order.`,
      security: [{ ingestKey: [] }],
      body: Type.Array(TickInput),
      response: { 200: IngestReply, 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 501: ErrorSchema, 503: ErrorSchema },
    },
  }, async (request, reply) => {
    if (!keys.enabled || !intake) return sendError(reply, 'INGEST_NOT_ENABLED');
    const name = authorize(request, keys);
    if ('code' in name) return sendError(reply, name.code);
    const raw = request.body;
    let items: unknown[];
    if (typeof raw === 'object' && raw !== null && 'ndjson' in raw && typeof raw.ndjson === 'string') items = ndjsonItems(raw.ndjson);
    else if (Array.isArray(raw)) items = raw;
    else return sendError(reply, 'BAD_REQUEST', 'The body is a JSON array of ticks, or NDJSON (content-type application/x-ndjson).');
    if (items.length > maxBatch) return sendError(reply, 'BATCH_TOO_LARGE', `${items.length} ticks; at most ${maxBatch} per request.`);
    const now = Date.now();
    const judged = items.map((item) => readItem(item, name.key, now));
    // The intake numbers per source: group the readable items by source, keeping batch order within each.
    const bySource = new Map<string, number[]>();
    judged.forEach((item, index) => {
      if ('trade' in item) bySource.set(item.source, [...(bySource.get(item.source) ?? []), index]);
    });
    const outcomes = new Map<number, TradeOutcome>();
    try {
      for (const [source, indexes] of bySource) {
        const results = await intake.take(source, indexes.map((i) => (judged[i] as { trade: SourceTrade }).trade));
        indexes.forEach((i, k) => outcomes.set(i, results[k]!));
      }
    } catch (error) {
      request.log.error({ err: error }, 'ingest: the tick log or sequencer refused the batch');
      return sendError(reply, 'NOT_READY', 'The tick log is not reachable; the ticks after the last accepted batch were not appended. Retry later.');
    }
    let accepted = 0;
    let duplicate = 0;
    const rejected: { index: number; code: string; message: string }[] = [];
    judged.forEach((item, index) => {
      if ('code' in item) return void rejected.push({ index, code: item.code, message: item.message });
      const outcome = outcomes.get(index)!;
      if (outcome.status === 'accepted') accepted++;
      else if (outcome.status === 'duplicate') duplicate++;
      else rejected.push({ index, code: outcome.reason, message: ERROR_CODES[outcome.reason].text });
    });
    return reply.code(200).send({ accepted, duplicate, rejected });
  });
};

function authorize(request: FastifyRequest, keys: IngestKeys): { key: string } | { code: ErrorCode } {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { code: 'INGEST_KEY_REQUIRED' };
  const name = keys.identify(match[1]!);
  return name === undefined ? { code: 'INVALID_INGEST_KEY' } : { key: name };
}

/** NDJSON: one item per line; a line that is not JSON becomes an item that is refused as MALFORMED. */
function ndjsonItems(text: string): unknown[] {
  const lines = text.split('\n');
  if (lines.at(-1)?.trim() === '') lines.pop();
  return lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return NOT_JSON;
    }
  });
}

const NOT_JSON = Symbol('not JSON');

function readItem(item: unknown, key: string, now: number): Item {
  if (item === NOT_JSON) return { code: 'MALFORMED', message: 'The line is not valid JSON.' };
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { code: 'MALFORMED', message: 'A tick is a JSON object.' };
  const t = item as Record<string, unknown>;
  const unknownField = Object.keys(t).find((k) => !FIELDS.has(k));
  if (unknownField !== undefined) return { code: 'MALFORMED', message: `Unknown field ${JSON.stringify(unknownField.slice(0, 40))}; the fields are ${[...FIELDS].join(', ')}.` };
  let source = key;
  if (t.source !== undefined) {
    const s = t.source;
    if (typeof s !== 'string' || (s !== key && !(s.startsWith(`${key}:`) && SOURCE_SUFFIX.test(s.slice(key.length + 1))))) return { code: 'INVALID_SOURCE', message: ERROR_CODES.INVALID_SOURCE.text };
    source = s;
  }
  // Wrong types are left for the intake's checks, which name the field that is wrong.
  const trade = { symbol: t.symbol, price: t.price, size: t.size ?? 0, ts: t.ts ?? now, sourceSeq: t.seq } as SourceTrade;
  return { trade, source };
}
