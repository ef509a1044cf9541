// @ts-check
// B1 — the plainest fan-out: a `ws` server, a symbol → Set<socket> map, JSON.stringify once per
// tick and ws.send to each subscriber. No queue, no conflation, no limits. `/stats` is for the
// harness only (event-loop delay, RSS), polled outside the measurement window.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { envConfig, startMarket, statsHandler } from './market.mjs';

const { port, host, symbols, rate } = envConfig();
const stats = await statsHandler();
const bySymbol = new Map(symbols.map((s) => [s, new Set()]));
let connections = 0;

const server = http.createServer((req, res) => {
  if (req.url === '/stats' || req.url === '/health') {
    res.setHeader('content-type', 'application/json');
    res.end(stats(() => ({ connections, generated: market.generated })));
  } else res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const param = new URL(req.url ?? '/', 'http://localhost').searchParams.get('symbols');
  const wanted = new Set(param === null ? symbols : param.split(',').filter((s) => bySymbol.has(s)));
  for (const s of wanted) bySymbol.get(s)?.add(ws);
  connections++;
  ws.on('error', () => {});
  // `{"action":"subscribe","symbols":[…]}`, as tickstream's protocol: the harness subscribes large
  // client sets this way after connecting them idle.
  ws.on('message', (data) => {
    try {
      const m = JSON.parse(data.toString());
      if (m.action !== 'subscribe' || !Array.isArray(m.symbols)) return;
      for (const s of m.symbols) {
        if (!bySymbol.has(s) || wanted.has(s)) continue;
        wanted.add(s);
        bySymbol.get(s)?.add(ws);
      }
    } catch {
      // not JSON: ignored
    }
  });
  ws.on('close', () => {
    connections--;
    for (const s of wanted) bySymbol.get(s)?.delete(ws);
  });
});

const market = startMarket({
  symbols,
  rate,
  onTick: (tick) => {
    const json = JSON.stringify(tick);
    for (const ws of bySymbol.get(tick.symbol) ?? []) ws.send(json);
  },
});

server.listen(port, host);
const stop = () => {
  market.stop();
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
