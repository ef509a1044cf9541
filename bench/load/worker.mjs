// @ts-check
// Load generator: thousands of WebSocket clients in one process, driven by bench/run.mjs over IPC.
//
// Plain WebSocket servers (tickstream, B1) are read by a minimal client on net.Socket: it frames
// and unframes by hand and finds `"symbol":"SYM`, `"seq":` and `"ts":` by indexOf on the received
// Buffer, so the client side costs a few hundred ns per tick and the server stays the bottleneck.
// Socket.IO (B2) uses socket.io-client with the websocket transport only.
//
// Per tick received inside the measurement window: latency = receipt time − tick.ts (µs, into a
// perf_hooks HDR histogram); per (client, symbol) first/last seq and count (loss = seqs skipped);
// staleness = receipt time − ts of the oldest tick this client had not seen yet (equals latency
// when nothing was skipped; when a conflating server skipped ticks, it is measured from the first
// skipped tick, whose ts is known because some other client of this process received it).
import net from 'node:net';
import { createHistogram, performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
// The wire's client messages, from the built server (bench/run.mjs builds dist/ first).
import { encodeClientMessage } from '../../dist/protocol/index.js';

const RING = 1 << 14;
const SYMBOL_KEY = Buffer.from('"symbol":"SYM');
const SEQ_KEY = Buffer.from('"seq":');
const TS_KEY = Buffer.from('"ts":');
const HANDSHAKE_END = Buffer.from('\r\n\r\n');
const READ_BUFFER = Buffer.allocUnsafe(1 << 16);
const LIFETIME_MS = Number(process.env.BENCH_WORKER_LIFETIME_MS ?? 20 * 60_000);

const now = () => performance.timeOrigin + performance.now();

let S = 0;
let N = 0;
let lastSeq, lastTs, firstW, cntW, healthy, subs;
let ringSeq, ringTs, symMax;
let measuring = false;
let windowStart = 0;
let cpuStart;
const hist = createHistogram();
const staleHist = createHistogram();
let received = 0;
let bytes = 0;
let skipped = 0;
let dups = 0;
let unresolved = 0;
let staleOver = 0;
let staleLimitMs = 200;
const closes = new Map();
let unexpectedCloses = 0;
let errors = 0;
const clients = [];

function setup(symbols, n) {
  S = symbols;
  N = n;
  lastSeq = new Float64Array(N * S);
  lastTs = new Float64Array(N * S);
  firstW = new Float64Array(N * S);
  cntW = new Uint32Array(N * S);
  healthy = new Uint8Array(N);
  subs = new Array(N);
  ringSeq = new Float64Array(S * RING);
  ringTs = new Float64Array(S * RING);
  symMax = new Float64Array(S);
}

function record(ci, si, seq, ts, t) {
  if (si < 0 || si >= S) return;
  const slot = si * RING + (seq & (RING - 1));
  if (ringSeq[slot] !== seq) {
    ringSeq[slot] = seq;
    ringTs[slot] = ts;
  }
  if (seq > symMax[si]) symMax[si] = seq;
  const k = ci * S + si;
  const last = lastSeq[k];
  if (seq <= last) {
    if (measuring) dups++;
    return;
  }
  const prevTs = lastTs[k];
  lastSeq[k] = seq;
  lastTs[k] = ts;
  if (!measuring || healthy[ci] === 0) return;
  received++;
  if (cntW[k] === 0) firstW[k] = seq;
  cntW[k]++;
  const latency = t - ts;
  hist.record(latency > 0.001 ? Math.round(latency * 1000) || 1 : 1);
  let stale = latency;
  if (last > 0 && seq > last + 1) {
    skipped += seq - last - 1;
    const s2 = si * RING + ((last + 1) & (RING - 1));
    if (ringSeq[s2] === last + 1) stale = t - ringTs[s2];
    else {
      unresolved++;
      stale = t - prevTs; // an upper bound: the first skipped tick came after the previous one
    }
  }
  staleHist.record(stale > 0.001 ? Math.round(stale * 1000) || 1 : 1);
  if (stale > staleLimitMs) staleOver++;
}

/** Every tick in a text payload [start, end): one, or several for `{"type":"ticks","data":[…]}`. */
function onPayload(ci, buf, start, end, t) {
  let p = start;
  for (;;) {
    const s = buf.indexOf(SYMBOL_KEY, p);
    if (s < 0 || s >= end) return;
    const d = s + SYMBOL_KEY.length;
    let si = 0;
    let i = d;
    for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]) si = si * 10 + (c - 48);
    const q = buf.indexOf(SEQ_KEY, i);
    if (q < 0 || q >= end) return;
    let seq = 0;
    i = q + SEQ_KEY.length;
    for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]) seq = seq * 10 + (c - 48);
    const r = buf.indexOf(TS_KEY, i);
    if (r < 0 || r >= end) return;
    let ts = 0;
    i = r + TS_KEY.length;
    for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]) ts = ts * 10 + (c - 48);
    record(ci, si, seq, ts, t);
    p = i;
  }
}

function closed(c, code) {
  if (c.closed) return;
  c.closed = true;
  if (!c.byUs) {
    unexpectedCloses++;
    closes.set(String(code), (closes.get(String(code)) ?? 0) + 1);
  }
}

/** A WebSocket client on a raw socket (RFC 6455, text frames, no extensions). */
function connectRaw(ci, port, path, slow) {
  return new Promise((/** @type {(value?: unknown) => void} */ resolve, reject) => {
    // `onread`: the kernel's bytes land in one buffer shared by every socket of this process and
    // are parsed at once, with no Buffer or stream event per read. What must outlive the call (a
    // partial frame) is copied out.
    const sock = net.connect({ host: '127.0.0.1', port, onread: { buffer: READ_BUFFER, callback: (n, buf) => (onData(/** @type {Buffer} */ (buf).subarray(0, n), true), true) } });
    const client = { sock, closed: false, byUs: false, close: () => sock.destroy() };
    clients[ci] = client;
    let handshaking = true;
    let pending = null;
    const timer = setTimeout(() => {
      client.byUs = true;
      sock.destroy();
      reject(new Error('handshake timeout'));
    }, 15_000);
    sock.setNoDelay(true);
    sock.on('connect', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    sock.on('error', () => {
      client.byUs ||= handshaking;
      if (handshaking) {
        clearTimeout(timer);
        reject(new Error('socket error during handshake'));
      } else errors++;
    });
    sock.on('close', () => {
      if (handshaking) {
        client.byUs = true;
        clearTimeout(timer);
        reject(new Error('closed during handshake'));
      }
      closed(client, 1006);
    });
    const onData = (chunk, shared) => {
      const t = now();
      bytes += chunk.length;
      let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let off = 0;
      if (handshaking) {
        const end = buf.indexOf(HANDSHAKE_END);
        if (end < 0) {
          pending = shared && buf === chunk ? Buffer.from(buf) : buf;
          return;
        }
        const status = buf.toString('latin1', 0, Math.min(end, 200));
        handshaking = false;
        clearTimeout(timer);
        if (!status.startsWith('HTTP/1.1 101')) {
          client.byUs = true;
          sock.destroy();
          reject(new Error(status.split('\r\n')[0]));
          return;
        }
        off = end + 4;
        resolve();
        if (slow) sock.pause();
      }
      const len = buf.length;
      while (len - off >= 2) {
        const b0 = buf[off];
        const b1 = buf[off + 1];
        let size = b1 & 127;
        let h = 2;
        if (size === 126) {
          if (len - off < 4) break;
          size = buf.readUInt16BE(off + 2);
          h = 4;
        } else if (size === 127) {
          if (len - off < 10) break;
          size = buf.readUInt32BE(off + 6);
          h = 10;
        }
        if (b1 & 128) h += 4; // servers do not mask; tolerate it anyway
        if (len - off < h + size) break;
        const start = off + h;
        const opcode = b0 & 15;
        if (opcode === 1 || opcode === 0 || opcode === 2) onPayload(ci, buf, start, start + size, t);
        else if (opcode === 9) sock.write(pongFrame(buf.subarray(start, start + size)));
        else if (opcode === 8) {
          closed(client, size >= 2 ? buf.readUInt16BE(start) : 1005);
          sock.destroy();
          return;
        }
        off = start + size;
      }
      if (off < len) pending = shared && buf === chunk ? Buffer.from(buf.subarray(off)) : buf.subarray(off);
    };
  });
}

function pongFrame(payload) {
  const f = Buffer.alloc(6 + payload.length);
  f[0] = 0x8a;
  f[1] = 0x80 | payload.length;
  payload.copy(f, 6); // all-zero mask key: the payload is sent as is
  return f;
}

let ioFactory;
async function connectSio(ci, port, symbols) {
  ioFactory ??= (await import('socket.io-client')).io;
  return new Promise((/** @type {(value?: unknown) => void} */ resolve, reject) => {
    const s = ioFactory(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      query: { symbols: symbols.join(',') },
      reconnection: false,
      forceNew: true,
      timeout: 15_000,
    });
    const client = { sock: s, closed: false, byUs: false, close: () => s.disconnect() };
    clients[ci] = client;
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => {
      client.byUs = true;
      s.close();
      reject(e);
    });
    s.on('tick', (tick) => {
      const sym = tick.symbol;
      let si = 0;
      for (let i = 3; i < sym.length; i++) si = si * 10 + (sym.charCodeAt(i) - 48);
      record(ci, si, tick.seq, tick.ts, now());
    });
    s.on('disconnect', (reason) => closed(client, reason));
  });
}

/**
 * Connects with at most `wave` handshakes in flight (a SYN flood would overflow the listen
 * backlog and cost seconds of retransmits); clients that failed are tried again, twice at most;
 * whatever is not connected by `deadlineMs` is given up and counted as failed.
 */
async function connectAll(msg) {
  const { port, kind, list, wave, symbols, query, from = 0, total, deadlineMs = 120_000, deferSubscribe = false } = msg;
  if (from === 0) setup(symbols, total ?? list.length);
  const started = now();
  const deadline = started + deadlineMs;
  const failures = new Map();
  const connectOne = (ci) => {
    const c = list[ci - from];
    subs[ci] = c.symbols.map((s) => Number(s.slice(3)));
    healthy[ci] = c.slow || c.observer ? 0 : 1;
    const path = `/ws?symbols=${deferSubscribe ? '' : c.symbols.join(',')}${query ?? ''}`;
    return kind === 'sio' ? connectSio(ci, port, deferSubscribe ? [] : c.symbols) : connectRaw(ci, port, path, c.slow);
  };
  let todo = list.map((_, i) => from + i);
  let failed = [];
  for (let attempt = 1; attempt <= 3 && todo.length > 0 && now() < deadline; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, 1000));
    failed = [];
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const ci = todo[next++];
        if (now() >= deadline) {
          failed.push(ci);
          failures.set('connect deadline', (failures.get('connect deadline') ?? 0) + 1);
          continue;
        }
        try {
          await connectOne(ci);
        } catch (error) {
          failed.push(ci);
          if (attempt === 3) {
            const why = (error instanceof Error ? error.message : String(error)).slice(0, 80);
            failures.set(why, (failures.get(why) ?? 0) + 1);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(wave, todo.length) }, lane));
    todo = failed;
  }
  for (const ci of failed) healthy[ci] = 0;
  return { ok: list.length - failed.length, failed: failed.length, failures: Object.fromEntries(failures), ms: Math.round(now() - started) };
}

/** A client → server text frame: masked, as RFC 6455 requires (all-zero key: payload as is). */
function clientFrame(text) {
  const payload = Buffer.from(text);
  const n = payload.length;
  const head = n < 126 ? 2 : 4;
  const f = Buffer.alloc(head + 4 + n);
  f[0] = 0x81;
  if (n < 126) f[1] = 0x80 | n;
  else {
    f[1] = 0x80 | 126;
    f.writeUInt16BE(n, 2);
  }
  payload.copy(f, head + 4);
  return f;
}

/**
 * Subscribes every connected client by message — `{"action":"subscribe","symbols":[…]}` on a
 * WebSocket, `emit('subscribe', symbols)` on Socket.IO — after all of them connected idle, so the
 * handshakes do not queue behind a server saturated by the clients connected first.
 */
async function subscribeAll(msg) {
  const { kind, list } = msg;
  let sent = 0;
  for (let ci = 0; ci < list.length; ci++) {
    const c = clients[ci];
    if (!c || c.closed) continue;
    const symbolsOf = list[ci].symbols;
    if (kind === 'sio') c.sock.emit('subscribe', symbolsOf);
    else c.sock.write(clientFrame(encodeClientMessage({ action: 'subscribe', symbols: symbolsOf })));
    sent++;
    if (sent % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  return { sent };
}

function startWindow(msg) {
  staleLimitMs = msg.staleLimitMs ?? 200;
  hist.reset();
  staleHist.reset();
  received = bytes = skipped = dups = unresolved = staleOver = 0;
  firstW.fill(0);
  cntW.fill(0);
  closes.clear();
  unexpectedCloses = 0;
  errors = 0;
  cpuStart = process.cpuUsage();
  windowStart = now();
  measuring = true;
}

function pct(h, p) {
  return h.count > 0 ? h.percentile(p) / 1000 : null;
}

function stopWindow() {
  measuring = false;
  const end = now();
  const seconds = (end - windowStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  let expected = 0;
  let got = 0;
  let starvedPairs = 0;
  const starvedClients = new Set();
  let silentClients = 0;
  let healthyCount = 0;
  let healthySubscriptions = 0;
  for (let ci = 0; ci < N; ci++) {
    if (healthy[ci] === 0) continue;
    healthyCount++;
    healthySubscriptions += subs[ci].length;
    let any = 0;
    for (const si of subs[ci]) {
      const k = ci * S + si;
      if (cntW[k] > 0) {
        expected += lastSeq[k] - firstW[k] + 1;
        got += cntW[k];
        any++;
      }
      // Starved: the source made a tick for this symbol more than the limit ago that this client
      // has not got (nor anything newer).
      const next = lastSeq[k] + 1;
      if (next <= symMax[si]) {
        const slot = si * RING + (next & (RING - 1));
        const ts = ringSeq[slot] === next ? ringTs[slot] : undefined;
        if (ts !== undefined && end - ts > staleLimitMs) {
          starvedPairs++;
          starvedClients.add(ci);
        }
      }
    }
    if (any === 0) silentClients++;
  }
  return {
    seconds,
    healthyClients: healthyCount,
    healthySubscriptions,
    received,
    perSecond: received / seconds,
    bytesPerSecond: bytes / seconds,
    latencyMs: { p50: pct(hist, 50), p90: pct(hist, 90), p99: pct(hist, 99), p999: pct(hist, 99.9), max: hist.count > 0 ? hist.max / 1000 : null, mean: hist.count > 0 ? hist.mean / 1000 : null },
    stalenessMs: { p99: pct(staleHist, 99), p999: pct(staleHist, 99.9), max: staleHist.count > 0 ? staleHist.max / 1000 : null, over: staleOver, unresolved },
    expected,
    gotCounted: got,
    skipped,
    dups,
    starvedPairs,
    starvedClients: starvedClients.size,
    silentClients,
    unexpectedCloses,
    closes: Object.fromEntries(closes),
    socketErrors: errors,
    loadCpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

function closeAll() {
  for (const c of clients) {
    if (!c) continue;
    c.byUs = true;
    try {
      c.close();
    } catch {
      // already gone
    }
  }
}

process.on('message', async (/** @type {any} */ msg) => {
  try {
    switch (msg.cmd) {
      case 'connect':
        process.send?.({ id: msg.id, result: await connectAll(msg) });
        break;
      case 'subscribe':
        process.send?.({ id: msg.id, result: await subscribeAll(msg) });
        break;
      case 'start':
        startWindow(msg);
        process.send?.({ id: msg.id, result: true });
        break;
      case 'stop':
        process.send?.({ id: msg.id, result: stopWindow() });
        break;
      case 'close':
        closeAll();
        process.send?.({ id: msg.id, result: true });
        setTimeout(() => process.exit(0), 200);
        break;
    }
  } catch (error) {
    process.send?.({ id: msg.id, error: error instanceof Error ? String(error.stack ?? error) : String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), LIFETIME_MS).unref();
