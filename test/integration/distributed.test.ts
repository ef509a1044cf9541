import { afterAll, beforeAll, describe, it } from 'vitest';
import { bySymbol, cluster, expectExactlyOnce, gatewaysAndClients, killProcessorsAt, TOTAL, type Clients } from '../support/distributed.js';
import { adminClient, deletePrefix, keysUnder, redisUrl, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const prefix = uniquePrefix('distributed');
const roles = cluster({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, EVENT_LOG: 'redis', STREAM_CLAIM_IDLE_MS: '1000' });

/** Every record of the tick log (the Redis streams under the prefix). */
async function producedTicks() {
  const client = await adminClient();
  try {
    const ticks: { symbol: string; seq: number; price: number }[] = [];
    for (const key of await keysUnder(client, prefix)) {
      if ((await client.type(key)) !== 'stream') continue;
      for (const [, fields] of (await client.sendCommand(['XRANGE', key, '-', '+'])) as [string, string[]][]) {
        for (let i = 3; i < fields.length; i += 2) ticks.push(JSON.parse(fields[i]!) as { symbol: string; seq: number; price: number });
      }
    }
    return bySymbol(ticks);
  } finally {
    await client.close();
  }
}

afterAll(async () => {
  await roles.stopAll();
  await deletePrefix(prefix);
});

describe('generator → Redis Streams → 2 processors → 2 gateways → 50 clients, processors killed 3 times', () => {
  let fleet: Clients;

  beforeAll(async () => {
    fleet = await gatewaysAndClients(roles);
    await Promise.all([roles.start('processor'), roles.start('processor')]);
  }, 150_000);

  it('applies every produced tick exactly once and every client sees every seq once, in order', async () => {
    const generator = await roles.start('generator', { TICK_RATE: '2000', GENERATOR_MAX_TICKS: String(TOTAL) });
    // Three SIGKILLs at random moments while the ~10 s stream runs, each followed by a restart.
    await killProcessorsAt(roles, [0, 1, 2].map(() => 500 + Math.random() * 8_000));
    await waitFor(() => generator.logs.some((l) => l.msg === 'generator finished'), 'the generator to finish', 60_000, 100);
    await expectExactlyOnce(await producedTicks(), fleet);
  }, 180_000);
});
