import { describe, expect, it } from 'vitest';
import { basePrices, effectiveRoles, loadConfig, symbolsExplicit } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/schema-kit.js';
import { CONFIG_SCHEMA, ROLE_NAMES } from '../../src/config/schema.js';

const SHARED_SECRET = 'a-shared-secret-of-at-least-32-characters';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig: defaults', () => {
  it('uses every default of the schema when the environment is empty', () => {
    const config = loadConfig({});
    for (const [key, field] of Object.entries(CONFIG_SCHEMA)) expect(config[key as keyof typeof config], key).toEqual(field.default);
  });

  it('reads values it is given', () => {
    const config = loadConfig({ PORT: '0', SYMBOLS: ' AAPL, MSFT ,AAPL', TICK_RATE: '2.5', LOG_LEVEL: 'warn', SEED: '42', BASE_PRICES: 'MSFT:12.5' });
    expect(config).toMatchObject({ port: 0, symbols: ['AAPL', 'MSFT'], tickRate: 2.5, logLevel: 'warn', seed: '42', basePrices: ['MSFT:12.5'] });
  });
});

describe('loadConfig: invalid values', () => {
  const cases: [string, keyof typeof CONFIG_SCHEMA, string][] = [
    ['an integer that is not a number', 'port', 'http'],
    ['an integer with a fraction', 'port', '80.5'],
    ['an integer above its range', 'port', '65536'],
    ['an integer below its range', 'historyLimit', '9'],
    ['an empty integer', 'candleLimit', ''],
    ['a number that is not a number', 'tickRate', 'fast'],
    ['an empty number', 'drift', ' '],
    ['a number out of range', 'volatility', '-0.1'],
    ['an infinite number', 'marketSpeed', 'Infinity'],
    ['a value not in its list', 'logLevel', 'loud'],
    ['an unknown event log', 'eventLog', 'zookeeper'],
    ['an unknown role', 'roles', 'generator,trader'],
    ['a lower-case symbol', 'symbols', 'AAPL,msft'],
    ['a price pair without a price', 'basePrices', 'AAPL'],
    ['a price pair with a negative price', 'basePrices', 'AAPL:-1'],
    ['a price pair with two prices', 'basePrices', 'AAPL:1:2'],
    ['a seed that is not a number', 'seed', 'abc'],
  ];

  for (const [what, key, raw] of cases) {
    it(`rejects ${what}, naming the key and what is allowed`, () => {
      const field = CONFIG_SCHEMA[key];
      const error = configError({ [field.env]: raw });
      expect(error.problems).toHaveLength(1);
      expect(error.message).toContain(field.env);
      expect(error.message).toContain(field.allowed);
      expect(error.message).toContain(JSON.stringify(raw));
    });
  }

  it('reports several bad keys together', () => {
    const error = configError({ PORT: '-1', LOG_FORMAT: 'xml', TICK_RATE: '0' });
    expect(error.problems).toHaveLength(3);
    for (const env of ['PORT', 'LOG_FORMAT', 'TICK_RATE']) expect(error.message).toContain(env);
  });

  it('rejects BASE_PRICES naming a symbol that is not in SYMBOLS', () => {
    const error = configError({ SYMBOLS: 'AAPL,MSFT', BASE_PRICES: 'AAPL:10,IBM:20' });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/BASE_PRICES.*IBM.*SYMBOLS/);
  });
});

describe('derived settings', () => {
  it('`all` expands to every role; a list is kept as given', () => {
    expect(effectiveRoles(loadConfig({}))).toEqual(ROLE_NAMES.filter((r) => r !== 'ingestor'));
    expect(effectiveRoles(loadConfig({ ROLES: 'gateway,api', JWT_SECRET: SHARED_SECRET }))).toEqual(['gateway', 'api']);
  });

  it('roles split across processes need a shared JWT_SECRET where tokens are issued or checked', () => {
    for (const roles of ['api', 'gateway', 'gateway,processor', 'api,alerts']) {
      expect(() => loadConfig({ ROLES: roles })).toThrow(new RegExp(`JWT_SECRET is not set, but ROLES=${roles} runs part of a deployment split across processes.*same secret.*or run ROLES=all`));
      expect(() => loadConfig({ ROLES: roles, JWT_SECRET: SHARED_SECRET })).not.toThrow();
    }
    // One process with every role, and roles that never see a token, keep working without it.
    for (const roles of ['all', 'generator', 'processor,alerts,orders,analytics']) expect(() => loadConfig({ ROLES: roles })).not.toThrow();
    expect(() => loadConfig({})).not.toThrow();
  });

  it('`all` with a live source or ingest keys runs the ingestor and no simulator; named roles run as named', () => {
    expect(effectiveRoles(loadConfig({ INGEST_SOURCE: 'file', INGEST_FILE: 'x.csv' }))).toEqual(['processor', 'gateway', 'api', 'alerts', 'orders', 'ingestor', 'analytics']);
    expect(effectiveRoles(loadConfig({ INGEST_API_KEYS: 'desk:0123456789abcdef' }))).toEqual(['processor', 'gateway', 'api', 'alerts', 'orders', 'analytics']);
    expect(effectiveRoles(loadConfig({ INGEST_SOURCE: 'file', INGEST_FILE: 'x.csv', ROLES: 'generator,ingestor,processor' }))).toEqual(['generator', 'ingestor', 'processor']);
  });

  it('ingest settings that cannot work are refused together', () => {
    const error = configError({ INGEST_SOURCE: 'finnhub', INGEST_SPEED: 'fast', INGEST_SYMBOLS: 'BINANCE:BTCUSDT', INGEST_API_KEYS: 'desk:short' });
    expect(error.message).toMatch(/INGEST_SYMBOLS="BINANCE:BTCUSDT" is not allowed/);
    expect(error.message).toMatch(/INGEST_API_KEYS=\(value hidden\) is not allowed/);
    expect(error.message).not.toContain('desk:short');
    expect(configError({ INGEST_SOURCE: 'finnhub', INGEST_SPEED: 'fast' }).message).toMatch(/INGEST_SPEED.*FINNHUB_API_KEY.*INGEST_SYMBOLS/s);
    expect(configError({ INGEST_SOURCE: 'file' }).message).toMatch(/INGEST_FILE/);
    expect(loadConfig({ INGEST_SYMBOLS: 'AAPL,BINANCE:BTCUSDT=BTCUSD' }).ingestSymbols).toEqual(['AAPL', 'BINANCE:BTCUSDT=BTCUSD']);
  });

  it('SYMBOLS counts as explicit only when set', () => {
    expect(symbolsExplicit(loadConfig({}))).toBe(false);
    expect(symbolsExplicit(loadConfig({ SYMBOLS: 'AAPL' }))).toBe(true);
  });

  it('base prices come from BASE_PRICES, then the built-in universe, then 100', () => {
    const config = loadConfig({ SYMBOLS: 'AAPL,MSFT,ZZZ', BASE_PRICES: 'MSFT:12.5' });
    expect(basePrices(config, { AAPL: 190, MSFT: 410 })).toEqual(new Map([['AAPL', 190], ['MSFT', 12.5], ['ZZZ', 100]]));
  });
});

describe('lists that must not be empty', () => {
  it('SYMBOLS= and ROLES= are refused with what is allowed', () => {
    expect(() => loadConfig({ SYMBOLS: ' , ' })).toThrow(/SYMBOLS=" , " is not allowed: expected .*at least one/);
    expect(() => loadConfig({ ROLES: '' })).toThrow(/ROLES="" is not allowed: expected .*at least one/);
  });

  it('issue #10: URLs that name no host, bad origins and secrets are refused without echoing secrets', () => {
    expect(configError({ REDIS_URL: 'redis://:@:/' }).message).toMatch(/REDIS_URL="redis:\/\/:\*\*\*@:\/" is not allowed: expected .*naming a host/);
    expect(loadConfig({ REDIS_URL: 'redis://user:pw@127.0.0.1:6379/0' }).redisUrl).toBe('redis://user:pw@127.0.0.1:6379/0');
    const leaked = configError({ REDIS_URL: 'redis://u:hunter2@:/', JWT_SECRET: 'short secret with spaces hunter3' }).message;
    expect(leaked).not.toContain('hunter2');
    expect(leaked).not.toContain('hunter3');
    expect(leaked).toMatch(/JWT_SECRET=\(value hidden\) is not allowed: expected at least 32 characters, none of them spaces/);
    expect(configError({ WS_ALLOWED_ORIGINS: 'https://ok.example,ok.example,https://x.example/path' }).message).toMatch(/WS_ALLOWED_ORIGINS=/);
    expect(loadConfig({ WS_ALLOWED_ORIGINS: 'https://ok.example,http://localhost:5173' }).wsAllowedOrigins).toEqual(['https://ok.example', 'http://localhost:5173']);
  });
});
