// @ts-check
// B2 — Socket.IO, as in the kafka-stream-sim-dashboard reference: a room per symbol and
// io.to(symbol).emit('tick', tick) for each tick; websocket transport only.
import http from 'node:http';
import { Server } from 'socket.io';
import { envConfig, startMarket, statsHandler } from './market.mjs';

const { port, host, symbols, rate } = envConfig();
const stats = await statsHandler();
const known = new Set(symbols);

const server = http.createServer((req, res) => {
  if (req.url === '/stats' || req.url === '/health') {
    res.setHeader('content-type', 'application/json');
    res.end(stats(() => ({ connections: io.engine.clientsCount, generated: market.generated })));
  } else if (!(req.url ?? '').startsWith('/socket.io')) res.writeHead(404).end();
});
const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
io.on('connection', (socket) => {
  const q = socket.handshake.query.symbols;
  socket.join(typeof q === 'string' ? q.split(',').filter((s) => known.has(s)) : symbols);
  // As in the kafka-stream-sim-dashboard reference: socket.emit('subscribe', ['AAPL', …]).
  socket.on('subscribe', (list) => {
    if (Array.isArray(list)) socket.join(list.filter((s) => known.has(s)));
  });
});

const market = startMarket({ symbols, rate, onTick: (tick) => io.to(tick.symbol).emit('tick', tick) });

server.listen(port, host);
const stop = () => {
  market.stop();
  io.close();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
