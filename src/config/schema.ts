import { DEFAULT_UNIVERSE } from '../domain/price-model.js';
import { isValidSymbol } from '../domain/symbol.js';
import { bool, int, isOrigin, isProxyAddress, isServiceUrl, list, num, oneOf, optionalText, text, type Field } from './schema-kit.js';

export const ROLE_NAMES = ['generator', 'processor', 'gateway', 'api', 'alerts', 'orders', 'ingestor', 'analytics'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** `FEED` or `FEED=LOCAL`: a provider's symbol, and the tickstream symbol its trades are filed under. */
const isFeedSymbol = (item: string): boolean => {
  const [feed, local, extra] = item.split('=');
  return extra === undefined && feed !== undefined && /^\S{1,40}$/.test(feed) && isValidSymbol(local ?? feed);
};

/** `NAME:SECRET`: the name becomes the ticks' `source`; the secret is what producers send. */
const isIngestKey = (item: string): boolean => /^[a-z0-9][a-z0-9._-]{0,31}:\S{16,}$/.test(item);

const isSymbolPrice = (item: string): boolean => {
  const [symbol, price, extra] = item.split(':');
  return extra === undefined && symbol !== undefined && isValidSymbol(symbol) && Number(price) > 0;
};

const isPeriod = (item: string): boolean => /^\d{1,4}$/.test(item) && Number(item) >= 2 && Number(item) <= 1000;

/**
 * Every setting tickstream reads, in one place: environment name, default, what is allowed, and
 * why it exists. The README's configuration table is checked against this object by a test.
 */
export const CONFIG_SCHEMA = {
  // Process
  roles: list('ROLES', ['all'], 'Roles this process runs; `all` runs every role in one process.', `\`all\` or a list of ${ROLE_NAMES.join(', ')}`, (r) => r === 'all' || (ROLE_NAMES as readonly string[]).includes(r), true),
  host: text('HOST', '0.0.0.0', 'Address the HTTP/WebSocket server listens on.', 'an IP address or host name'),
  port: int('PORT', 8080, 0, 65535, 'Port for the dashboard, REST API and WebSocket (0 picks a free port).'),
  grpcPort: int('GRPC_PORT', 0, 0, 65535, 'Port of the gRPC services (MarketData, Alerts, health checking, reflection) on HOST, in processes with the gateway or api role; 0 or unset: off.'),
  logLevel: oneOf('LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'Lowest level written to the log.'),
  logFormat: oneOf('LOG_FORMAT', 'auto', ['auto', 'json', 'pretty'], 'JSON lines, or coloured lines for people; `auto` is pretty on a terminal.'),
  exitWithParent: bool('EXIT_WITH_PARENT', false, 'Shut down gracefully when the parent process goes away (for supervisors and test harnesses that can die without signalling).'),
  startupTimeoutMs: int('STARTUP_TIMEOUT_MS', 15_000, 100, 600_000, 'Longest wait at start for Redis (REDIS_URL) to answer; a Redis that refuses or stays silent ends the start with exit code 2 and a message naming REDIS_URL (Kafka: its connect timeouts, same exit code).'),
  shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000, 'Longest graceful shutdown before the process exits anyway (exit code 1).'),

  // Market model (generator role)
  symbols: list('SYMBOLS', Object.keys(DEFAULT_UNIVERSE), 'Symbols traded here: the generator makes ticks for them and the gateway accepts subscriptions to them.', 'comma-separated symbols (A-Z, 0-9, `.`, `-`, up to 15)', isValidSymbol, true),
  basePrices: list('BASE_PRICES', [], 'Starting prices as `SYMBOL:PRICE` pairs; symbols without one use a built-in price, or 100.', 'comma-separated `SYMBOL:PRICE` with PRICE > 0', isSymbolPrice),
  tickRate: num('TICK_RATE', 50, 0.01, 1_000_000, 'Ticks generated per second, over all symbols.'),
  drift: num('DRIFT', 0.05, -10, 10, 'Annualised drift μ of the geometric Brownian motion.'),
  volatility: num('VOLATILITY', 0.3, 0, 10, 'Annualised volatility σ of the geometric Brownian motion.'),
  marketSpeed: num('MARKET_SPEED', 60, 0.001, 1_000_000, 'Market seconds that pass per real second (60: a minute of trading every second).'),
  maxTicks: int('GENERATOR_MAX_TICKS', 0, 0, 1_000_000_000, 'Stop generating after this many ticks (0: never); for replays, tests and benchmarks.'),
  seed: optionalText('SEED', 'Seed of the random source; unset draws one at start (logged, to reproduce a run).', 'an integer', /^\d{1,10}$/),

  // Engines
  eventLog: oneOf('EVENT_LOG', 'memory', ['memory', 'redis', 'kafka'], 'Event log engine: in-process, Redis Streams, or Kafka.'),
  store: oneOf('STORE', 'auto', ['auto', 'memory', 'redis'], 'Price store and pub/sub engine; `auto` is Redis when REDIS_URL is set, else in-process.'),
  redisUrl: optionalText('REDIS_URL', 'Redis for the price store, pub/sub, the Streams log and the shared per-IP limiter.', 'a `redis://` or `rediss://` URL naming a host', isServiceUrl(['redis', 'rediss'])),
  redisPrefix: text('REDIS_PREFIX', 'ts:', 'Prefix of every Redis key and channel, so several deployments can share one Redis.', 'any text'),
  redisClientName: text('REDIS_CLIENT_NAME', 'tickstream', 'Base of the connection names this process shows in Redis `CLIENT LIST`.', 'printable ASCII without spaces'),
  kafkaBrokers: list('KAFKA_BROKERS', [], 'Kafka bootstrap brokers (EVENT_LOG=kafka).', 'comma-separated `host:port`', (b) => /^[\w.-]+:\d+$/.test(b)),
  kafkaReplication: int('KAFKA_REPLICATION', 1, 1, 32, 'Replication factor when tickstream creates the ticks topic.'),
  kafkaSessionTimeoutMs: int('KAFKA_SESSION_TIMEOUT_MS', 10_000, 1_000, 300_000, 'A consumer-group member that stops heartbeating (a crash) loses its partitions after this long; the broker bounds it (group.min.session.timeout.ms).'),
  streamClaimIdleMs: int('STREAM_CLAIM_IDLE_MS', 5_000, 100, 3_600_000, 'Redis Streams: how long a member may hold an unacknowledged batch before another member of the group takes it over (a crashed member’s work).'),
  kafkaGroupPrefix: text('KAFKA_GROUP_PREFIX', '', 'Prefix of the consumer groups that read the tick log on Kafka (processor, alerts, …), so deployments or test runs sharing a broker never join each other’s groups.', 'any text without spaces'),
  ticksTopic: text('TICKS_TOPIC', 'ticks', 'Name of the tick log (Kafka topic, or Redis stream under REDIS_PREFIX).', 'a topic name'),

  eventLogPartitions: int('EVENT_LOG_PARTITIONS', 8, 1, 1024, 'Partitions of the tick log, keyed by symbol: one member of a consumer group reads a partition at a time, so this caps the processors that work in parallel.'),
  eventLogRetention: int('EVENT_LOG_RETENTION', 100_000, 1_000, 100_000_000, 'Records kept per partition (in memory; Redis Streams trims approximately).'),
  processorMaxBatch: int('PROCESSOR_MAX_BATCH', 5_000, 1, 100_000, 'Most ticks the processor applies to the store in one batch. A processor takes what is waiting, so batches stay small at low rates; when it falls behind, larger ones cost fewer round trips per tick.'),
  historyLimit: int('HISTORY_LIMIT', 1_000, 10, 1_000_000, 'Ticks of history kept per symbol (resume with `since` reaches back this far).'),
  candleLimit: int('CANDLE_LIMIT', 500, 10, 100_000, 'Candles kept per symbol and interval.'),

  // WebSocket gateway
  wsMaxConnections: int('WS_MAX_CONNECTIONS', 10_000, 1, 1_000_000, 'Open WebSocket connections per gateway; beyond it new ones are closed with 1013.'),
  wsMaxConnectionsPerIp: int('WS_MAX_CONNECTIONS_PER_IP', 1_000, 1, 1_000_000, 'Open WebSocket connections per client address; beyond it new ones are closed with 1013.'),
  wsAllowedOrigins: list('WS_ALLOWED_ORIGINS', ['*'], 'Origins allowed to open a WebSocket (`*` for any); requests without an Origin header (non-browser clients) are allowed.', '`*` or comma-separated origins like `https://example.com` (scheme, host and port only)', isOrigin),
  wsConnectRate: num('WS_CONNECT_RATE', 50, 0.01, 1_000_000, 'New WebSocket connections per second one address may open on average (shared through Redis when REDIS_URL is set).'),
  wsConnectBurst: int('WS_CONNECT_BURST', 200, 1, 10_000_000, 'New WebSocket connections one address may open at once (token bucket size).'),
  wsMaxFrameBytes: int('WS_MAX_FRAME_BYTES', 16_384, 128, 16_777_216, 'Largest client frame; a larger one closes the connection with 1009.'),
  wsMaxSymbols: int('WS_MAX_SYMBOLS', 1_000, 1, 100_000, 'Symbols one connection may subscribe to (`*` always allowed).'),
  wsMaxIndicators: int('WS_MAX_INDICATORS', 100, 1, 100_000, 'Indicator streams (symbol × interval × indicator, e.g. AAPL `1m:sma:20`) one connection may subscribe to.'),
  wsMessageRate: num('WS_MESSAGE_RATE', 20, 0.1, 100_000, 'Client messages per second a connection may send on average (token bucket refill).'),
  wsMessageBurst: int('WS_MESSAGE_BURST', 40, 1, 1_000_000, 'Client messages a connection may send at once (token bucket size).'),
  wsAddressMessageRate: num('WS_ADDRESS_MESSAGE_RATE', 200, 0.1, 1_000_000, 'Client messages per second one address may send on average across all its connections to a gateway (beyond it: RATE_LIMITED errors, then 1008).'),
  wsAddressMessageBurst: int('WS_ADDRESS_MESSAGE_BURST', 400, 1, 10_000_000, 'Client messages one address may send at once across all its connections (token bucket size).'),
  wsHeartbeatMs: int('WS_HEARTBEAT_MS', 30_000, 100, 3_600_000, 'Interval of server pings; a peer that has not answered the previous ping is dropped.'),
  wsSlowBytes: int('WS_SLOW_BYTES', 1_048_576, 1_024, 1_073_741_824, 'Unsent bytes that switch a client to conflation (latest tick per symbol only).'),
  wsSlowCloseMs: int('WS_SLOW_CLOSE_MS', 10_000, 100, 3_600_000, 'How long a client may stay conflated before it is closed with 4000.'),
  socketIoEnabled: bool('SOCKETIO_ENABLED', true, 'Socket.IO at `/socket.io/` on PORT (websocket and long-polling transports; the kafka-stream-sim dashboard\'s events) in processes with the gateway role, under the WS_* limits, origins and slow-consumer rules; false: `/socket.io/` answers a JSON 404, and processors no longer attach each tick\'s log partition and offset (which only Socket.IO shows).'),
  socketIoMetricsMs: int('SOCKETIO_METRICS_MS', 5_000, 100, 3_600_000, 'How often every Socket.IO client gets the `metrics` event (it also gets one on connect).'),
  batchFlushMs: int('WS_FLUSH_MS', 0, 0, 1_000, 'Delay before pending ticks are written to clients; 0 writes on the next turn of the event loop.'),

  // HTTP edge (every process listens: dashboard, REST, /health, /metrics, WebSocket upgrades)
  httpRequestTimeoutMs: int('HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 3_600_000, 'Longest a client may take to send a whole request, headers and body; a slower one is answered 408 REQUEST_TIMEOUT and closed (slow-body clients).'),
  httpHeadersTimeoutMs: int('HTTP_HEADERS_TIMEOUT_MS', 10_000, 500, 3_600_000, 'Longest a client may take to send a request’s headers, from the connection or the previous response; a slower one is answered 408 REQUEST_TIMEOUT and closed (slowloris). At most HTTP_REQUEST_TIMEOUT_MS.'),
  httpKeepAliveTimeoutMs: int('HTTP_KEEPALIVE_TIMEOUT_MS', 72_000, 1_000, 3_600_000, 'How long an idle keep-alive connection stays open; keep it above the idle timeout of a load balancer in front (60 s on many).'),
  httpMaxConnectionsPerIp: int('HTTP_MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000, 'Open HTTP connections one client address may hold per process; beyond it a new one is answered 429 TOO_MANY_CONNECTIONS_FROM_IP and closed. WebSockets leave this count once upgraded (WS_MAX_CONNECTIONS_PER_IP applies). Behind a reverse proxy every client has the proxy’s address: raise it, or 0 for no cap.'),
  trustProxy: list('TRUST_PROXY', [], 'Reverse proxies in front of this process (Caddy, nginx, an Ingress): their X-Forwarded-For is believed, so per-address limits (logins, registrations, WebSocket and Socket.IO connections and messages) count the client\'s address, not the proxy\'s; request logs show it too. Empty: the peer\'s address, and X-Forwarded-For is ignored. HTTP_MAX_CONNECTIONS_PER_IP is counted at accept, before headers, so it stays per peer: raise it for the proxy.', 'comma-separated IPs or CIDRs (e.g. `10.0.0.0/8`), or `loopback`, `linklocal`, `uniquelocal`', isProxyAddress),

  // REST
  corsOrigins: list('CORS_ORIGINS', ['*'], 'Origins whose browser pages may call the REST API (CORS); `*` for any. Tokens travel in `Authorization`, never cookies, so no credentials mode is offered.', '`*` or comma-separated origins like `https://app.example.com`'),
  apiMaxLimit: int('API_MAX_LIMIT', 1_000, 1, 1_000_000, 'Largest `limit` accepted by history and candle routes.'),

  // Analytics (indicators and movers over windows)
  analyticsSmaPeriods: list('ANALYTICS_SMA_PERIODS', ['9', '20', '50', '200'], 'Periods (in candles) of the simple moving averages computed for every symbol and interval, served as `sma:<period>`.', 'comma-separated whole numbers 2 to 1000', isPeriod, true),
  analyticsEmaPeriods: list('ANALYTICS_EMA_PERIODS', ['9', '20', '50', '200'], 'Periods (in candles) of the exponential moving averages, served as `ema:<period>`.', 'comma-separated whole numbers 2 to 1000', isPeriod, true),
  analyticsHistoryLimit: int('ANALYTICS_HISTORY_LIMIT', 500, 10, 100_000, 'Candles whose indicator values are kept per symbol and interval.'),
  analyticsMoversMs: int('ANALYTICS_MOVERS_MS', 1_000, 50, 3_600_000, 'How often the analytics role recomputes and stores the movers over windows.'),

  // Accounts and alerts
  databaseUrl: optionalText('DATABASE_URL', 'PostgreSQL for accounts and alerts; unset: embedded PostgreSQL (PGlite) under DATA_DIR.', 'a `postgres://` or `postgresql://` URL', /^postgres(ql)?:\/\/\S+$/),
  databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 1_000, 'Connections this process keeps to PostgreSQL (DATABASE_URL).'),
  dataDir: text('DATA_DIR', './data', 'Where the embedded database keeps its files (one process at a time); `memory` keeps nothing.', 'a directory, or `memory`'),
  jwtSecret: optionalText('JWT_SECRET', 'Secret that signs access tokens (HS256); every process of a deployment needs the same one. Unset: a random one per start (tokens die with the process), which only `ROLES=all` accepts: a process running `api` or `gateway` beside other processes refuses to start without it.', 'at least 32 characters, none of them spaces or other whitespace', /^\S{32,}$/),
  authLoginAttemptsPerIp: int('AUTH_LOGIN_ATTEMPTS_PER_IP', 30, 1, 1_000_000, 'Failed logins one client address may make per AUTH_LOGIN_WINDOW_SECONDS, whatever the usernames (password spraying); beyond it 429 TOO_MANY_LOGIN_ATTEMPTS with Retry-After. Successful logins are not counted. Shared through Redis when REDIS_URL is set.'),
  authLoginAttemptsPerUser: int('AUTH_LOGIN_ATTEMPTS_PER_USER', 10, 1, 1_000_000, 'Failed logins one username may receive per AUTH_LOGIN_WINDOW_SECONDS, whatever the addresses (one account guessed from many); beyond it 429 TOO_MANY_LOGIN_ATTEMPTS. Shared through Redis when REDIS_URL is set.'),
  authLoginWindowSeconds: int('AUTH_LOGIN_WINDOW_SECONDS', 900, 1, 86_400, 'The window of AUTH_LOGIN_ATTEMPTS_PER_IP and AUTH_LOGIN_ATTEMPTS_PER_USER.'),
  authRegistrationsPerIp: int('AUTH_REGISTRATIONS_PER_IP', 10, 1, 1_000_000, 'Registrations (successful or not) one client address may make per AUTH_REGISTER_WINDOW_SECONDS; beyond it 429 TOO_MANY_REGISTRATIONS with Retry-After. Shared through Redis when REDIS_URL is set.'),
  authRegisterWindowSeconds: int('AUTH_REGISTER_WINDOW_SECONDS', 3_600, 1, 86_400, 'The window of AUTH_REGISTRATIONS_PER_IP.'),
  passwordScryptCost: int('PASSWORD_SCRYPT_COST', 17, 14, 20, 'log2 of scrypt’s N for new password hashes (r=8, p=1): 17 is OWASP’s recommendation (128 MiB, a few hundred ms per hash). Stored hashes keep their own cost; a weaker one is rehashed at the next successful login. Lower it only for tests.'),
  jwtTtlSeconds: int('JWT_TTL_SECONDS', 3_600, 60, 2_592_000, 'Lifetime of an access token.'),
  wsRequireAuth: bool('WS_REQUIRE_AUTH', false, 'true: a WebSocket gets no ticks until it authenticates, and is closed with 4001 if it does not within WS_AUTH_TIMEOUT_MS.'),
  wsAuthTimeoutMs: int('WS_AUTH_TIMEOUT_MS', 10_000, 100, 600_000, 'How long a WebSocket may stay unauthenticated when WS_REQUIRE_AUTH=true.'),
  alertsRefreshMs: int('ALERTS_REFRESH_MS', 1_000, 50, 3_600_000, 'How often the alerts role reads alert changes made by other processes (its own API’s changes apply at once).'),
  alertsUserFireRate: num('ALERTS_USER_FIRE_RATE', 10, 0.01, 1_000_000, 'Alert fires per second one user may have on average, across all their alerts (per alerts process); a fire over it waits, armed, for a later tick where its condition still holds.'),
  alertsUserFireBurst: int('ALERTS_USER_FIRE_BURST', 50, 1, 10_000_000, 'Alert fires one user may have at once (token bucket size of ALERTS_USER_FIRE_RATE).'),
  alertsMaxPerUser: int('ALERTS_MAX_PER_USER', 200, 1, 100_000, 'Alerts one user may have.'),
  // Paper trading
  paperLotSize: int('PAPER_LOT_SIZE', 1, 1, 1_000_000, 'Shares per lot: a buy’s quantity must be a whole number of lots (1: any whole number of shares); sells take any whole number held, so odd lots left by partial fills can be closed. Clients see it as `lotSize` in the portfolio.'),
  paperStartingCash: num('PAPER_STARTING_CASH', 100_000, 0, 1_000_000_000, 'Cash (USD) a paper-trading account opens with, and gets back on reset; whole cents.'),
  amqpUrl: optionalText('AMQP_URL', 'RabbitMQ for the order queue (durable quorum queues, publisher confirms); unset: an in-process queue.', 'an `amqp://` or `amqps://` URL', /^amqps?:\/\/\S+$/),
  orderQueue: text('ORDER_QUEUE', 'tickstream.orders', 'Name of the order command queue on RabbitMQ (`.retry.N` and `.dead` queues are named after it).', 'a queue name'),
  amqpConnectionName: text('AMQP_CONNECTION_NAME', 'tickstream', 'Connection name this process shows in RabbitMQ (`rabbitmqctl list_connections client_properties`).', 'printable text'),
  orderMaxAttempts: int('ORDER_MAX_ATTEMPTS', 5, 1, 100, 'Deliveries of an order command before it goes to the dead-letter queue.'),
  orderRetryMs: int('ORDER_RETRY_MS', 1_000, 10, 3_600_000, 'Delay before the first retry of a failed order command; each further retry waits twice as long.'),
  ordersRefreshMs: int('ORDERS_REFRESH_MS', 1_000, 50, 3_600_000, 'How often the orders role re-reads open orders from the database (orders whose command was lost, orders of other processes).'),
  portfolioThrottleMs: int('PORTFOLIO_THROTTLE_MS', 250, 50, 60_000, 'At most one `portfolio` WebSocket message per user per this interval.'),

  // Ingest: live feeds, file replay, the ingest API
  ingestSource: oneOf('INGEST_SOURCE', 'none', ['none', 'finnhub', 'file', 'kafka'], 'Where the ingestor role reads trades. With a source set (or INGEST_API_KEYS), `ROLES=all` runs no simulator (name `generator` in ROLES to run both).'),
  ingestSymbols: list('INGEST_SYMBOLS', [], 'Symbols to subscribe to at a live source; `FEED=LOCAL` files a provider symbol under another name (`BINANCE:BTCUSDT=BTCUSD`).', 'comma-separated `SYMBOL` or `FEED_SYMBOL=SYMBOL`', isFeedSymbol),
  ingestMaxSymbols: int('INGEST_MAX_SYMBOLS', 1_000, 1, 1_000_000, 'Most symbols the universe may hold once sources add the ones they see (ignored when SYMBOLS is set: then only those are accepted).'),
  ingestMaxSkewMs: int('INGEST_MAX_SKEW_MS', 300_000, 1_000, 31_536_000_000, 'Largest distance between an ingested trade’s timestamp and this process’s clock; farther ones are rejected.'),
  ingestFile: optionalText('INGEST_FILE', 'INGEST_SOURCE=file: the CSV or NDJSON file to replay.', 'a file path'),
  ingestSpeed: text('INGEST_SPEED', '1', 'INGEST_SOURCE=file: original pace times this, or `max` for as fast as the log takes them.', 'a number above 0, or `max`'),
  ingestKafkaTopic: text('INGEST_KAFKA_TOPIC', 'stock_prices', 'INGEST_SOURCE=kafka: the existing topic to read (on KAFKA_BROKERS), in any format of the README\'s "Adopting a Kafka pipeline".', 'a topic name'),
  ingestKafkaGroup: text('INGEST_KAFKA_GROUP', 'tickstream-ingest', 'INGEST_SOURCE=kafka: the consumer group tickstream reads the topic as (its offsets say where reading resumes).', 'a group name'),
  ingestKafkaFrom: oneOf('INGEST_KAFKA_FROM', 'latest', ['latest', 'earliest'], 'INGEST_SOURCE=kafka: where a group that never read the topic starts.'),
  ingestLoop: bool('INGEST_LOOP', false, 'INGEST_SOURCE=file: start over at the end of the file.'),
  finnhubApiKey: optionalText('FINNHUB_API_KEY', 'INGEST_SOURCE=finnhub: your Finnhub API token.', 'a token'),
  finnhubUrl: text('FINNHUB_URL', 'wss://ws.finnhub.io', 'Finnhub’s WebSocket endpoint (the token is added as `?token=`).', 'a `ws://` or `wss://` URL'),
  ingestReconnectMaxMs: int('INGEST_RECONNECT_MAX_MS', 30_000, 100, 3_600_000, 'Longest wait between reconnects to a live source (the wait doubles from 500 ms, with jitter).'),
  ingestApiKeys: list('INGEST_API_KEYS', [], 'Keys that may `POST /api/v1/ticks`, as `NAME:SECRET` (NAME is the ticks’ default `source`). Empty: the route answers 501.', 'comma-separated `name:secret`, secret at least 16 characters', isIngestKey),
  ingestMaxBatch: int('INGEST_MAX_BATCH', 1_000, 1, 100_000, 'Most ticks in one `POST /api/v1/ticks`.'),
  ingestUniverseRefreshMs: int('INGEST_UNIVERSE_REFRESH_MS', 2_000, 100, 3_600_000, 'How often gateways and the API read back symbols that ingestors in other processes added.'),
  testTickInjection: bool('TEST_TICK_INJECTION', false, 'TESTS ONLY: true mounts `POST /api/v1/test/ticks`, which appends any tick to the log (logged as a warning at start). Never in production.'),
} satisfies Record<string, Field<unknown>>;

export type ConfigSchema = typeof CONFIG_SCHEMA;
export type Config = { readonly [K in keyof ConfigSchema]: ConfigSchema[K] extends Field<infer V> ? V : never };
