import { basename } from 'node:path';
import type { Logger } from '../../observability/logger.js';
import type { IngestSink, IngestSource, SourceStatus } from '../../ports/ingest-source.js';
import { replay } from './replay.js';
import { checkReadable } from './replay-file.js';

export interface FileSourceOptions {
  readonly path: string;
  readonly speed: number | 'max';
  readonly loop: boolean;
  readonly logger: Logger;
}

/** INGEST_SOURCE=file: replays a CSV or NDJSON file into a long-running process (see `tickstream replay`). */
export class FileSource implements IngestSource {
  readonly name = 'file';
  private state: SourceStatus = { state: 'connecting' };
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: FileSourceOptions) {}

  async start(sink: IngestSink): Promise<void> {
    const { path, logger } = this.options;
    try {
      await checkReadable(path);
    } catch (error) {
      // A process that was told to replay a file it cannot read stays up and says so on /ready.
      this.state = { state: 'down', reason: error instanceof Error ? error.message : String(error) };
      logger.error({ path }, this.state.reason!);
      return;
    }
    this.state = { state: 'up' };
    logger.info({ path, speed: this.options.speed, loop: this.options.loop }, 'replaying file');
    this.running = replay(path, { speed: this.options.speed, loop: this.options.loop, strict: false, signal: this.abort.signal }, {
      trades: (trades) => {
        sink.message(trades.length);
        return sink.trades(trades);
      },
      problem: (line, message) => {
        sink.message();
        sink.rejected('MALFORMED');
        logger.warn({ file: basename(path), line }, `line ${line}: ${message}; skipped`);
      },
    }).then(
      (result) => {
        if (!result.aborted) this.state = { state: 'finished', reason: `replayed ${result.trades} trades` };
        logger.info({ trades: result.trades, problems: result.problems }, 'file replay finished');
      },
      (error: unknown) => {
        this.state = { state: 'down', reason: error instanceof Error ? error.message : String(error) };
        logger.error({ err: error }, 'file replay failed');
      },
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  status(): SourceStatus {
    return this.state;
  }
}
