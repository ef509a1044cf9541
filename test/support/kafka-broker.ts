import { Admin } from '@platformatic/kafka';

/** Where `npm run kafka:up` (scripts/kafka.mjs) runs its broker. */
export const localKafkaBroker = '127.0.0.1:9092';

/** True when a Kafka broker at `brokers` answers a metadata request. */
export async function kafkaAnswers(brokers: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'tickstream-test-probe',
    bootstrapBrokers: brokers.split(',').map((b) => b.trim()),
    retries: 0,
    connectTimeout: 2_000,
    requestTimeout: 5_000,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

/**
 * Points the Kafka tests at a broker: KAFKA_BROKERS if set, else the local one when it is up.
 * In CI the Kafka tests must run, so a missing broker fails the run instead of skipping them.
 */
export async function selectKafkaBroker(): Promise<void> {
  const configured = process.env.KAFKA_BROKERS?.trim();
  const brokers = configured || localKafkaBroker;
  if (await kafkaAnswers(brokers)) {
    process.env.KAFKA_BROKERS = brokers;
    return;
  }
  const why = `no Kafka broker answers at ${brokers}`;
  if (process.env.CI) throw new Error(`${why}: run \`npm run kafka:up\` first (the Kafka tests never skip in CI)`);
  delete process.env.KAFKA_BROKERS;
  console.warn(`\n[tickstream tests] ${why}: the Kafka tests are skipped. \`npm run kafka:up\` starts one.\n`);
}
