import { randomUUID } from 'node:crypto';
import { backoffDelay, doubling } from '../../domain/backoff.js';
import type { Logger } from '../../observability/logger.js';
import type { IngestSink, IngestSource, SourceStatus } from '../../ports/ingest-source.js';
import type { Codec } from '../codec.js';
import { describeKafkaError } from '../kafka/errors.js';
import { GroupConsumer } from '../kafka/group-consumer.js';
import { resolveSettings } from '../kafka/config.js';
import { sleep } from '../kafka/async-util.js';
import { readExternalRecord } from './kafka-formats.js';

export interface KafkaSourceOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly group: string;
  readonly from: 'earliest' | 'latest';
  readonly maxBatch: number;
  readonly logger: Logger;
}

/** Records stay text here: the formats are read (and refused) by kafka-formats.ts. */
const textCodec: Codec<string> = {
  encode: (text) => text,
  decode: (raw) => (typeof raw === 'string' ? raw : raw.toString('utf8')),
};

/**
 * INGEST_SOURCE=kafka: a member of consumer group `group` on an existing pipeline's topic. Each
 * batch of records becomes trades (kafka-formats.ts); records that are not one of the formats are
 * dropped and counted (`MALFORMED`, the reason at debug). The group's offsets are committed only
 * after the ingestor put the batch's ticks on tickstream's log, so a crash re-reads, never skips.
 */
export class KafkaTopicSource implements IngestSource {
  readonly name = 'kafka';
  private state: SourceStatus = { state: 'connecting' };
  private member: GroupConsumer<string> | undefined;
  private stopped = false;
  private joining: Promise<void> | undefined;

  constructor(private readonly options: KafkaSourceOptions) {}

  async start(sink: IngestSink): Promise<void> {
    const { brokers, topic, group, from, maxBatch, logger } = this.options;
    // partitions and replication only matter for topics tickstream creates; this one it never does.
    const settings = resolveSettings({ brokers, topic, partitions: 1, replication: 1, clientId: 'tickstream-ingest' });
    const member = new GroupConsumer<string>({
      settings,
      codec: textCodec,
      group,
      member: randomUUID(),
      maxBatch,
      from,
      logger,
      onDecodeFailures: () => {},
      handler: async (records) => {
        sink.message(records.length);
        const trades = [];
        for (const record of records) {
          const reading = readExternalRecord(record.value);
          if ('trades' in reading) trades.push(...reading.trades);
          else {
            sink.rejected('MALFORMED');
            logger.debug({ topic, partition: record.partition, offset: record.offset, reason: reading.problem }, 'kafka record dropped');
          }
        }
        if (trades.length > 0) await sink.trades(trades);
      },
    });
    this.member = member;
    // The ingestor waits for start(): a broker that is not there yet must not hold the process.
    this.joining = this.join(member);
    logger.info({ topic, group, from }, 'reading the Kafka topic');
  }

  private async join(member: GroupConsumer<string>): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await member.start();
        this.state = { state: 'up' };
        return;
      } catch (error) {
        this.state = { state: 'connecting', reason: describeKafkaError(error) };
        this.options.logger.warn({ topic: this.options.topic, err: error }, 'cannot join the Kafka topic yet; retrying');
        await sleep(backoffDelay(attempt, doubling(500, 30_000)));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.joining;
    await this.member?.stop();
  }

  status(): SourceStatus {
    return this.state;
  }
}
