import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines by default; pino-pretty on a terminal (or when asked), in-process so order is kept. */
export function createLogger(options: { level: string; format: 'auto' | 'json' | 'pretty' }): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  if (!pretty) return pino({ level: options.level, base: { pid: process.pid } });
  return pino({
    level: options.level,
    transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}
