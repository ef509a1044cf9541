import type { LoggerOptions } from 'pino';

/**
 * Where a secret can sit in a log line, for pino's `redact` (fast-redact paths). Redaction happens
 * when a line is written, so a caller can log the whole configuration or a request's headers and
 * the secret never reaches the output; nobody has to remember to clean an object first.
 *
 * `config.*` are the settings in the `tickstream started` line: the secrets themselves, and the
 * service URLs, which may carry a password in their user part. test/unit/redaction.test.ts checks
 * that every secret-looking setting of the schema is listed here.
 */
export const REDACTED_PATHS: readonly string[] = [
  'config.jwtSecret',
  'config.finnhubApiKey',
  'config.ingestApiKeys',
  'config.databaseUrl',
  'config.redisUrl',
  'config.amqpUrl',
  // A request or upgrade logged with its headers (Fastify's serializer leaves them out today).
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'password',
  'token',
  '*.password',
  '*.token',
];

const REDACTED = '[redacted]';

/** `scheme://user:password@host…`: the user part may be worth seeing, the password never. */
const URL_WITH_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i;

/**
 * A service URL keeps everything but its password (`redis://user:***@host`), so the log still
 * says which server a process talks to; anything else at a listed path is replaced whole, and an
 * unset setting stays visibly unset.
 */
function censor(value: unknown, path: string[]): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /Url$/.test(path.at(-1) ?? '')) return value.replace(URL_WITH_PASSWORD, '$1:***@');
  return REDACTED;
}

export const redaction: NonNullable<LoggerOptions['redact']> = { paths: [...REDACTED_PATHS], censor };
