import { CONFIG_SCHEMA, ROLE_NAMES, type Config, type RoleName } from './schema.js';
import { ConfigError, isInvalid, type Field } from './schema-kit.js';

/** Settings whose values are secrets: an error names them but never prints what was given. */
const SECRET_SETTING = /SECRET|PASSWORD|TOKEN|API_KEY/;

/** How a rejected value appears in an error: quoted, secrets hidden, passwords in URLs masked. */
function shown(env: string, raw: string): string {
  if (SECRET_SETTING.test(env)) return '(value hidden)';
  return JSON.stringify(raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@'));
}

/** Reads every key of the schema from `env`; all problems are reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(CONFIG_SCHEMA) as [string, Field<unknown>][]) {
    const raw = env[field.env];
    if (raw === undefined) {
      out[key] = field.default;
      continue;
    }
    try {
      out[key] = field.parse(raw);
    } catch (error) {
      if (!isInvalid(error)) throw error;
      problems.push(`${field.env}=${shown(field.env, raw)} is not allowed: expected ${field.allowed}`);
    }
  }
  const config = out as Config;
  if (problems.length === 0) {
    for (const pair of config.basePrices) {
      const symbol = pair.split(':')[0]!;
      if (!config.symbols.includes(symbol)) problems.push(`BASE_PRICES names ${symbol}, which is not in SYMBOLS`);
    }
  }
  // Keys that failed to parse above are missing here; only the ones that parsed are checked together.
  if (config.ingestSpeed !== undefined && config.ingestSpeed !== 'max' && !(Number(config.ingestSpeed) > 0 && Number(config.ingestSpeed) <= 1_000_000)) {
    problems.push(`INGEST_SPEED=${JSON.stringify(config.ingestSpeed)} is not allowed: expected a number above 0 (up to 1000000), or max`);
  }
  if (config.ingestSource === 'file' && !config.ingestFile) problems.push('INGEST_SOURCE=file needs INGEST_FILE');
  if (config.ingestSource === 'kafka' && config.kafkaBrokers.length === 0) problems.push('INGEST_SOURCE=kafka needs KAFKA_BROKERS');
  if (config.ingestSource === 'finnhub' && !config.finnhubApiKey) problems.push('INGEST_SOURCE=finnhub needs FINNHUB_API_KEY');
  if (config.ingestSource === 'finnhub' && config.ingestSymbols?.length === 0) problems.push('INGEST_SOURCE=finnhub needs INGEST_SYMBOLS');
  if (config.finnhubUrl !== undefined && !/^wss?:\/\/\S+$/.test(config.finnhubUrl)) problems.push(`FINNHUB_URL=${JSON.stringify(config.finnhubUrl)} is not allowed: expected a ws:// or wss:// URL`);
  const jwtProblem = splitRolesWithoutSecret(config);
  if (jwtProblem) problems.push(jwtProblem);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The roles that issue (api) or verify (gateway) access tokens. */
const TOKEN_ROLES: readonly string[] = ['api', 'gateway'];

/**
 * A process that runs only some roles is one of several, and a random per-start secret (what an
 * unset JWT_SECRET means) would make every token the api issues useless at the other processes'
 * gateways: the deployment looks up but every login fails later. Refused at start instead.
 */
function splitRolesWithoutSecret(config: Config): string | undefined {
  if (config.roles === undefined || config.roles.includes('all') || config.jwtSecret !== undefined) return undefined;
  if (!config.roles.some((r) => TOKEN_ROLES.includes(r))) return undefined;
  return `JWT_SECRET is not set, but ROLES=${config.roles.join(',')} runs part of a deployment split across processes: tokens issued by one process's api would be refused by another's gateway. Set JWT_SECRET to the same secret (at least 32 characters, e.g. \`openssl rand -base64 48\`) in every process, or run ROLES=all`;
}

/**
 * `all` is every role, with one kind of ticks: ingested ones when INGEST_SOURCE names a source or
 * INGEST_API_KEYS lets producers post them, else simulated ones. Naming roles explicitly runs exactly those (both sources if asked).
 */
export function effectiveRoles(config: Config): RoleName[] {
  if (!config.roles.includes('all')) return config.roles as RoleName[];
  const feed = config.ingestSource !== 'none';
  const ingesting = feed || config.ingestApiKeys.length > 0;
  return ROLE_NAMES.filter((r) => (r === 'ingestor' ? feed : r === 'generator' ? !ingesting : true));
}

/** Whether SYMBOLS was given (loadConfig keeps the schema's default array itself otherwise). */
export function symbolsExplicit(config: Config): boolean {
  return config.symbols !== CONFIG_SCHEMA.symbols.default;
}

/** INGEST_SYMBOLS as provider symbol → tickstream symbol. */
export function feedSymbols(config: Config): Map<string, string> {
  return new Map(config.ingestSymbols.map((item) => {
    const [feed, local] = item.split('=') as [string, string | undefined];
    return [feed, local ?? feed];
  }));
}

/** Starting price per symbol: BASE_PRICES, then the built-in universe, then 100. */
export function basePrices(config: Config, builtIn: Readonly<Record<string, number>>): Map<string, number> {
  const given = new Map(config.basePrices.map((pair) => {
    const [symbol, price] = pair.split(':') as [string, string];
    return [symbol, Number(price)] as const;
  }));
  return new Map(config.symbols.map((s) => [s, given.get(s) ?? builtIn[s] ?? 100]));
}
