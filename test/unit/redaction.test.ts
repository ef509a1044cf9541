import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { REDACTED_PATHS } from '../../src/observability/redaction.js';

const JWT_SECRET = 'jwt-secret-that-must-never-be-logged-0123456789';
const DB_PASSWORD = 'db-pass-never-logged';
const REDIS_PASSWORD = 'redis-pass-never-logged';
const AMQP_PASSWORD = 'amqp-pass-never-logged';
const INGEST_SECRET = 'ingest-secret-never-logged';
const FINNHUB_KEY = 'finnhub-key-never-logged';
const BEARER = 'bearer-token-never-logged';
const SECRETS = [JWT_SECRET, DB_PASSWORD, REDIS_PASSWORD, AMQP_PASSWORD, INGEST_SECRET, FINNHUB_KEY, BEARER];

/** A logger as the process makes it, writing its JSON lines into an array. */
function capture(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

describe('logger redaction', () => {
  const config = loadConfig({
    JWT_SECRET,
    DATABASE_URL: `postgres://tick:${DB_PASSWORD}@db.internal:5432/tickstream`,
    REDIS_URL: `redis://default:${REDIS_PASSWORD}@cache.internal:6379`,
    AMQP_URL: `amqp://orders:${AMQP_PASSWORD}@mq.internal`,
    INGEST_API_KEYS: `feed:${INGEST_SECRET}`,
    FINNHUB_API_KEY: FINNHUB_KEY,
  });

  it('a logged configuration shows no secret, and service URLs keep everything but the password', () => {
    const { logger, lines } = capture();
    logger.info({ config }, 'tickstream started');
    expect(lines).toHaveLength(1);
    for (const secret of SECRETS) expect(lines[0]).not.toContain(secret);
    const logged = JSON.parse(lines[0]!) as { config: Record<string, unknown> };
    expect(logged.config).toMatchObject({
      jwtSecret: '[redacted]',
      finnhubApiKey: '[redacted]',
      ingestApiKeys: '[redacted]',
      databaseUrl: 'postgres://tick:***@db.internal:5432/tickstream',
      redisUrl: 'redis://default:***@cache.internal:6379',
      amqpUrl: 'amqp://orders:***@mq.internal',
      // Settings that only look like secrets by name stay readable.
      passwordScryptCost: config.passwordScryptCost,
      redisPrefix: config.redisPrefix,
    });
    // Redaction happens on the way out: the caller's object is untouched.
    expect(config.jwtSecret).toBe(JWT_SECRET);
  });

  it('an unset secret stays absent rather than looking set', () => {
    const { logger, lines } = capture();
    logger.info({ config: loadConfig({}) }, 'tickstream started');
    const logged = JSON.parse(lines[0]!) as { config: Record<string, unknown> };
    expect(logged.config.jwtSecret).toBeUndefined();
    expect(logged.config.redisUrl).toBeUndefined();
  });

  it('Authorization headers, tokens and passwords in a line are censored, also in child loggers', () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: 'http' });
    child.info({ req: { method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${BEARER}`, host: 'x' } } }, 'request');
    child.warn({ headers: { authorization: `Bearer ${BEARER}` } }, 'upgrade refused');
    child.info({ body: { username: 'ada', password: DB_PASSWORD }, token: BEARER }, 'login');
    expect(lines).toHaveLength(3);
    for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
    expect(JSON.parse(lines[0]!).req.headers).toEqual({ authorization: '[redacted]', host: 'x' });
  });

  it('every setting whose name says secret, key, token, password or URL is on the redaction list', () => {
    const listed = new Set(REDACTED_PATHS.filter((path) => path.startsWith('config.')).map((path) => path.slice('config.'.length)));
    const secretLooking = Object.entries(CONFIG_SCHEMA)
      .filter(([, field]) => /(SECRET|_KEY|TOKEN|PASSWORD)S?$|_URL$/.test(field.env) && !/^FINNHUB_URL$/.test(field.env))
      .map(([key]) => key);
    expect(secretLooking.length).toBeGreaterThan(0);
    for (const key of secretLooking) expect(listed, `${key} is not redacted in logs`).toContain(key);
  });
});
