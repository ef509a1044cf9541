import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redaction } from './redaction.js';
import { traceFields } from './tracing/log-fields.js';

export type { Logger };

/** How long a log line may wait for a full stdout before lines are dropped instead. */
const MAX_BLOCKED_MS = 1_000;

/**
 * JSON lines by default; pino-pretty on a terminal (or when asked), in-process so order is kept.
 * With `traceIds` (tracing on), a line written inside a span carries `trace_id`, `span_id` and
 * `trace_flags` (the OpenTelemetry names); without, no per-line hook is installed at all.
 */
export function createLogger(options: {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  traceIds?: boolean;
  /** Where JSON lines go instead of standard output (tests read them). */
  destination?: DestinationStream;
}): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  const mixin: Pick<LoggerOptions, 'mixin'> = options.traceIds ? { mixin: traceFields } : {};
  // Secrets are censored as each line is written, whatever object a caller logs (see redaction.ts).
  const redact: Pick<LoggerOptions, 'redact'> = { redact: redaction };
  if (!pretty) return pino({ level: options.level, base: { pid: process.pid }, ...mixin, ...redact }, options.destination ?? stdoutDestination());
  return pino({
    ...mixin,
    ...redact,
    level: options.level,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}

/**
 * Standard output, written synchronously, that can never keep the process from exiting. pino's
 * default destination buffers lines and writes them out in a synchronous flush on exit, which
 * loops forever on a broken pipe (EPIPE: the reader died, e.g. a killed parent or a crashed test
 * harness) and on a full one (EAGAIN: the reader stalled), so such a process never exited and
 * could not even take SIGTERM. Here nothing is buffered (each line is written when logged), a
 * broken pipe stops the writing (pino's own handling), and a full pipe is waited on for at most
 * MAX_BLOCKED_MS before lines are dropped until it takes one again.
 */
function stdoutDestination(): ReturnType<typeof pino.destination> {
  let blockedSince: number | undefined;
  const destination = pino.destination({
    fd: 1,
    sync: true,
    retryEAGAIN: () => {
      const now = Date.now();
      blockedSince ??= now;
      return now - blockedSince < MAX_BLOCKED_MS;
    },
  });
  destination.on('write', () => (blockedSince = undefined));
  // EPIPE or a pipe full for too long: the line cannot be delivered, and logging that would only
  // write to the same place.
  destination.on('error', () => {});
  return destination;
}
