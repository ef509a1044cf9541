import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as the tests look at it, from either OTLP encoding. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (the exporters append /v1/traces). */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Content-Type of each export request received. */
  readonly contentTypes: string[];
  trace(traceId: string): ReceivedSpan[];
  close(): Promise<void>;
}

/**
 * A stand-in OpenTelemetry collector on 127.0.0.1: accepts OTLP/HTTP trace exports
 * (`POST /v1/traces`) in JSON or protobuf and keeps their spans. Protobuf is decoded with the few
 * lines of wire-format reading below (the SDK ships an encoder only), enough for ids, names,
 * string and integer attributes and the service name.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    req.on('error', () => {});
    void body(req).then(
      (raw) => {
        const type = String(req.headers['content-type'] ?? '');
        contentTypes.push(type);
        try {
          if (req.url !== '/v1/traces') throw new Error(`unexpected path ${req.url}`);
          spans.push(...(type.includes('json') ? fromJson(JSON.parse(raw.toString('utf8'))) : fromProtobuf(raw)));
          res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : '');
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface JsonValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface JsonAttribute {
  key: string;
  value: JsonValue;
}
interface JsonExport {
  resourceSpans?: { resource?: { attributes?: JsonAttribute[] }; scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: JsonAttribute[] }[] }[] }[];
}

const jsonValue = (v: JsonValue): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue;
const jsonAttributes = (list: JsonAttribute[] = []): Record<string, unknown> => Object.fromEntries(list.map((a) => [a.key, jsonValue(a.value)]));

/** OTLP/JSON: ids are hex strings (the OTLP/HTTP JSON mapping). */
function fromJson(request: JsonExport): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = String(jsonAttributes(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) out.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, attributes: jsonAttributes(s.attributes) });
    }
  }
  return out;
}

/** The fields of one protobuf message: field number → raw values (Buffers for length-delimited, bigints for varints). */
function fields(buf: Buffer): Map<number, (Buffer | bigint)[]> {
  const out = new Map<number, (Buffer | bigint)[]>();
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    let value: Buffer | bigint;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = buf.subarray(at, at + 8);
        at += 8;
        break;
      case 2: {
        const length = Number(varint());
        value = buf.subarray(at, at + length);
        at += length;
        break;
      }
      case 5:
        value = buf.subarray(at, at + 4);
        at += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const messages = (f: Map<number, (Buffer | bigint)[]>, n: number): Buffer[] => (f.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));

/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1; bool_value = 2; int_value = 3 } }. */
function protoAttributes(list: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const f = fields(kv);
    const key = messages(f, 1)[0]?.toString('utf8') ?? '';
    const any = messages(f, 2)[0];
    if (!any) continue;
    const v = fields(any);
    const str = messages(v, 1)[0];
    const int = v.get(3)?.[0];
    out[key] = str !== undefined ? str.toString('utf8') : typeof int === 'bigint' ? Number(int) : undefined;
  }
  return out;
}

/**
 * ExportTraceServiceRequest { ResourceSpans resource_spans = 1 { Resource resource = 1
 * { attributes = 1 }; ScopeSpans scope_spans = 2 { Span spans = 2 { trace_id = 1; span_id = 2;
 * parent_span_id = 4; name = 5; attributes = 9 } } } }.
 */
function fromProtobuf(raw: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of messages(fields(raw), 1)) {
    const rsFields = fields(rs);
    const resource = messages(rsFields, 1)[0];
    const service = String(resource ? (protoAttributes(messages(fields(resource), 1))['service.name'] ?? '') : '');
    for (const ss of messages(rsFields, 2)) {
      for (const span of messages(fields(ss), 2)) {
        const f = fields(span);
        out.push({
          service,
          traceId: messages(f, 1)[0]?.toString('hex') ?? '',
          spanId: messages(f, 2)[0]?.toString('hex') ?? '',
          parentSpanId: messages(f, 4)[0]?.toString('hex') ?? '',
          name: messages(f, 5)[0]?.toString('utf8') ?? '',
          attributes: protoAttributes(messages(f, 9)),
        });
      }
    }
  }
  return out;
}
