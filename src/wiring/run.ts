import type { Config } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { storeKind } from './adapters.js';
import { compose } from './compose.js';
import { effectiveRoles } from '../config/load.js';
import { tracingRequested } from '../observability/tracing/env.js';
import { startTracing } from '../observability/tracing/start.js';
import { isStartupFailure, probeRedis } from './startup-probe.js';

/**
 * An engine that is down or silent at start (StartupError, KafkaUnavailableError) is an operator's
 * problem to fix: exit code 2 and one line on stderr naming the setting, as for a bad setting.
 * Anything else is a bug: exit code 1.
 */
function failedToStart(logger: ReturnType<typeof createLogger>, error: unknown): never {
  logger.fatal({ err: error }, 'start failed');
  logger.flush();
  if (isStartupFailure(error)) {
    console.error(`tickstream: ${error.message}`);
    process.exit(2);
  }
  process.exit(1);
}

/**
 * Runs a tickstream process until SIGINT/SIGTERM, then shuts down gracefully within
 * SHUTDOWN_TIMEOUT_MS (exit 0), or exits 1 if that runs out. A second signal exits at once.
 */
export async function runProcess(config: Config, version: string): Promise<void> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, traceIds: tracingRequested(process.env) });
  if (config.redisUrl && (storeKind(config) === 'redis' || config.eventLog === 'redis')) {
    try {
      await probeRedis(config.redisUrl, config.startupTimeoutMs);
    } catch (error) {
      failedToStart(logger, error);
    }
  }
  // Before compose: the adapters and servers are instrumented when they are made, if tracing is on.
  const tracing = await startTracing(process.env, { version, roles: effectiveRoles(config) }, logger);
  const composition = await compose(config, logger, version);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown timed out');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    composition
      .stop()
      // The spans of the last moments are exported before the process goes.
      .then(() => tracing.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'flushing traces failed')))
      .then(
        () => {
          logger.info('stopped');
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (config.exitWithParent) {
    // An orphan is re-parented (ppid changes): nobody is left to stop us, so stop ourselves.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutdown('parent exited');
    }, 500).unref();
  }
  try {
    await composition.start();
  } catch (error) {
    // Stopping is bounded too: adapters close with deadlines of their own.
    await composition.stop().catch(() => undefined);
    await tracing.shutdown().catch(() => {});
    failedToStart(logger, error);
  }
  const address = composition.address();
  logger.info(
    // The whole configuration: the logger censors its secrets (observability/redaction.ts).
    { version, roles: composition.roles, seed: composition.seed, url: address ? `http://localhost:${address.port}` : undefined, config },
    'tickstream started',
  );
}
