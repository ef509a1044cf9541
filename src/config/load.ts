import { CONFIG_SCHEMA, ROLE_NAMES, type Config, type RoleName } from './schema.js';
import { ConfigError, isInvalid, type Field } from './schema-kit.js';

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
      problems.push(`${field.env}=${JSON.stringify(raw)} is not allowed: expected ${field.allowed}`);
    }
  }
  const config = out as Config;
  if (problems.length === 0) {
    for (const pair of config.basePrices) {
      const symbol = pair.split(':')[0]!;
      if (!config.symbols.includes(symbol)) problems.push(`BASE_PRICES names ${symbol}, which is not in SYMBOLS`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function effectiveRoles(config: Config): RoleName[] {
  return config.roles.includes('all') ? [...ROLE_NAMES] : (config.roles as RoleName[]);
}

/** Starting price per symbol: BASE_PRICES, then the built-in universe, then 100. */
export function basePrices(config: Config, builtIn: Readonly<Record<string, number>>): Map<string, number> {
  const given = new Map(config.basePrices.map((pair) => {
    const [symbol, price] = pair.split(':') as [string, string];
    return [symbol, Number(price)] as const;
  }));
  return new Map(config.symbols.map((s) => [s, given.get(s) ?? builtIn[s] ?? 100]));
}
