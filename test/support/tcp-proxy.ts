import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test puts between processes and a service (the shared Redis, or a gateway), so
 * the test can fail the path without touching the service: `pause()` stops forwarding in both
 * directions (a stall: connections stay open, bytes wait in the kernel's buffers), `blackhole()`
 * reads and discards everything (a half-open peer: the other side's writes are acknowledged, nothing
 * ever comes back), `resume()` forwards again, `resetAll()` ends every connection with a TCP reset
 * on both sides.
 */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently forwarded. */
  readonly connections: number;
  pause(): void;
  blackhole(): void;
  resume(): void;
  resetAll(): number;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Called when the target's side of a connection ends (closed by the target, or reset). */
  readonly onUpstreamClosed?: () => void;
}

type Mode = 'forward' | 'pause' | 'blackhole';

interface Pair {
  readonly downstream: Socket;
  readonly upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let mode: Mode = 'forward';

  const server: Server = createServer((downstream) => {
    const upstream = connect(target.port, target.host);
    const pair = { downstream, upstream };
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      downstream.destroy();
      upstream.destroy();
    };
    // Forwarded by hand, not piped: a paused piped stream resumes when its destination drains.
    const forward = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (mode === 'blackhole') return;
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (mode !== 'pause') from.resume();
      });
      from.on('end', () => to.end());
    };
    forward(downstream, upstream);
    forward(upstream, downstream);
    upstream.once('close', () => options.onUpstreamClosed?.());
    for (const socket of [downstream, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
      if (mode === 'pause') socket.pause();
    }
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');

  const setMode = (next: Mode): void => {
    mode = next;
    for (const { downstream, upstream } of pairs) {
      for (const socket of [downstream, upstream]) {
        if (next === 'pause') socket.pause();
        else socket.resume();
      }
    }
  };
  const resetAll = (): number => {
    const count = pairs.size;
    for (const { downstream, upstream } of [...pairs]) {
      downstream.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    pairs.clear();
    return count;
  };
  return {
    port: address.port,
    get connections() {
      return pairs.size;
    },
    pause: () => setMode('pause'),
    blackhole: () => setMode('blackhole'),
    resume: () => setMode('forward'),
    resetAll,
    async close() {
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The proxy's address as a Redis URL (for REDIS_URL of the processes behind it). */
export const redisUrlThrough = (proxy: TcpProxy): string => `redis://127.0.0.1:${proxy.port}`;
