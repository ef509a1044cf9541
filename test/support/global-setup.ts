import { execFileSync } from 'node:child_process';
import { selectKafkaBroker } from './kafka-broker.js';

/**
 * End-to-end tests start the real CLI from dist/, and browser tests load the dashboard it serves
 * from web/dist: build both once before any test runs (the dashboard only when its sources changed).
 * The Kafka tests get KAFKA_BROKERS here (the test workers inherit this process's environment).
 */
export default async function setup(): Promise<void> {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['web/scripts/ensure-built.mjs'], { stdio: 'inherit' });
  await selectKafkaBroker();
}
