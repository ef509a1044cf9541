import { KafkaTopicSource } from '../adapters/ingest/kafka-source.js';
import { FileSource } from '../adapters/ingest/file-source.js';
import { FinnhubSource } from '../adapters/ingest/finnhub-source.js';
import { feedSymbols, symbolsExplicit } from '../config/load.js';
import type { Config, RoleName } from '../config/schema.js';
import { SymbolUniverse, type Admission } from '../domain/symbol-universe.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { IngestSource } from '../ports/ingest-source.js';
import type { Adapter, Service } from '../ports/lifecycle.js';
import { IngestorService } from '../services/ingest/ingestor.js';
import { TickIntake } from '../services/ingest/intake.js';
import type { Adapters } from './adapters.js';
import { adapterService } from './adapter-service.js';

export interface IngestWiring {
  /** The symbols traded here, live: the gateway and REST routes hold it. */
  readonly universe: SymbolUniverse;
  /** Present when this process takes ticks from outside (a source, or the ingest API). */
  readonly intake: TickIntake | undefined;
  readonly services: Service[];
  /** Extra `/ready` checks: one per source, failing while it is down. */
  readonly readiness: Record<string, Adapter>;
}

/** The configured feed, or none. The one place INGEST_SOURCE becomes a source. */
function createSources(config: Config, logger: Logger): IngestSource[] {
  switch (config.ingestSource) {
    case 'none':
      return [];
    case 'file':
      return [new FileSource({ path: config.ingestFile!, speed: config.ingestSpeed === 'max' ? 'max' : Number(config.ingestSpeed), loop: config.ingestLoop, logger: logger.child({ source: 'file' }) })];
    case 'finnhub':
      return [
        new FinnhubSource({
          url: config.finnhubUrl,
          apiKey: config.finnhubApiKey!,
          symbols: feedSymbols(config),
          reconnectMaxMs: config.ingestReconnectMaxMs,
          logger: logger.child({ source: 'finnhub' }),
        }),
      ];
    case 'kafka':
      return [
        new KafkaTopicSource({
          brokers: config.kafkaBrokers,
          topic: config.ingestKafkaTopic,
          group: config.ingestKafkaGroup,
          from: config.ingestKafkaFrom,
          maxBatch: 1_000,
          logger: logger.child({ source: 'kafka' }),
        }),
      ];
    default:
      throw new Error(`INGEST_SOURCE=${String(config.ingestSource)} is not wired`);
  }
}

/**
 * The symbol universe, and where ticks from outside come in: the ingestor role (feeds) and the
 * ingest API share one intake, so they check, number and count alike.
 */
export function wireIngest(config: Config, has: (role: RoleName) => boolean, adapters: Adapters, metrics: Metrics, logger: Logger): IngestWiring {
  const closed = symbolsExplicit(config);
  const universe = new SymbolUniverse([...config.symbols, ...feedSymbols(config).values()], { closed, maxSymbols: Math.max(config.ingestMaxSymbols, config.symbols.length) });
  // The simulator numbers its own symbols: a second numbering of the same symbol would collide.
  const simulated = new Set(has('generator') ? config.symbols : []);
  const admit = (symbol: string): Admission => (simulated.has(symbol) ? 'SIMULATED_SYMBOL' : universe.admit(symbol));
  const services: Service[] = [];
  const readiness: Record<string, Adapter> = {};
  const ingesting = has('ingestor') || (has('api') && config.ingestApiKeys.length > 0);
  let intake: TickIntake | undefined;
  if (ingesting) {
    services.push(adapterService('sequencer', adapters.sequencer));
    readiness.sequencer = adapters.sequencer;
    intake = new TickIntake({ log: adapters.eventLog, sequencer: adapters.sequencer, admit, maxSkewMs: config.ingestMaxSkewMs, metrics });
  }
  if (has('ingestor') && intake) {
    const sources = createSources(config, logger.child({ role: 'ingestor' }));
    const ingestor = new IngestorService({
      sources,
      intake,
      sequencer: adapters.sequencer,
      store: adapters.store,
      learnSymbols: (symbols) => universe.learn(symbols),
      metrics,
      logger: logger.child({ role: 'ingestor' }),
    });
    services.push(ingestor);
    for (const source of sources) readiness[`source ${source.name}`] = sourceCheck(() => ingestor.statuses().get(source.name));
  }
  // Gateways and APIs elsewhere learn the symbols an ingestor added from the shared store.
  if (!closed && (has('gateway') || has('api')) && !has('ingestor')) services.push(universeFollower(universe, adapters, config.ingestUniverseRefreshMs, logger));
  return { universe, intake, services, readiness };
}

function sourceCheck(status: () => { state: string; reason?: string } | undefined): Adapter {
  return {
    start: async () => {},
    close: async () => {},
    ping: async () => {
      const s = status();
      if (s?.state === 'down') throw new Error(`down: ${s.reason ?? 'no reason given'}`);
    },
  };
}

function universeFollower(universe: SymbolUniverse, adapters: Adapters, everyMs: number, logger: Logger): Service {
  let timer: NodeJS.Timeout | undefined;
  const refresh = (): void => {
    adapters.store.latestAll().then(
      (ticks) => universe.learn(ticks.map((t) => t.symbol)),
      (error: unknown) => logger.debug({ err: error }, 'reading symbols from the store failed; trying again later'),
    );
  };
  return {
    name: 'symbol universe',
    start: async () => {
      refresh();
      timer = setInterval(refresh, everyMs);
    },
    stop: async () => clearInterval(timer),
  };
}
