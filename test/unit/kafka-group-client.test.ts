import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Consumer, kGetApi, kListApis, NetworkError, ResponseError, type API, type Callback } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { gateHeartbeat, GroupClient, guardCommit, needsRejoin } from '../../src/adapters/kafka/group-client.js';

// Kafka protocol: Heartbeat is API key 12, OffsetCommit 8; error 27 is REBALANCE_IN_PROGRESS.
const rebalance = () => new ResponseError(12, 4, { '/': [27, null] }, {});
const coordinatorMoved = () => new ResponseError(12, 4, { '/': [16, null] }, {}); // NOT_COORDINATOR

/** A protocol function like the client's (createAPI): callback last, `.async`, `.key`, `.version`. */
function fakeApi<R>(key: number, answer: (args: unknown[]) => [Error | null, R | undefined]) {
  const calls: unknown[][] = [];
  const api = ((_connection: unknown, ...args: unknown[]) => {
    const cb = args.pop() as Callback<R>;
    calls.push(args);
    const [error, result] = answer(args);
    setImmediate(() => cb(error, result));
  }) as unknown as API<unknown[], R>;
  Object.assign(api, { key, version: 4, async: () => Promise.reject(new Error('unused')) });
  return { api, calls };
}

const call = <R>(api: API<unknown[], R>, ...args: unknown[]): Promise<{ error: Error | null; result: R | undefined }> =>
  new Promise((resolve) => (api as unknown as (...a: unknown[]) => void)({}, ...args, (error: Error | null, result?: R) => resolve({ error, result })));

describe('needsRejoin', () => {
  it('is true for the answers that make a member rejoin, wherever they sit in the error tree', () => {
    expect(needsRejoin(rebalance())).toBe(true);
    expect(needsRejoin(new ResponseError(12, 4, { '/': [25, null] }, {}))).toBe(true); // UNKNOWN_MEMBER_ID
    expect(needsRejoin(new ResponseError(12, 4, { '/': [22, null] }, {}))).toBe(true); // ILLEGAL_GENERATION
    expect(needsRejoin(new AggregateError([new Error('x'), rebalance()]))).toBe(true);
    expect(needsRejoin(coordinatorMoved())).toBe(false);
    expect(needsRejoin(new NetworkError('down'))).toBe(false);
    expect(needsRejoin(undefined)).toBe(false);
  });
});

describe('gateHeartbeat', () => {
  it('holds a rebalance answer until the gate opens, then passes it on unchanged', async () => {
    const { api, calls } = fakeApi(12, () => [rebalance(), undefined]);
    let open!: (pass: boolean) => void;
    const gateCalls: Error[] = [];
    const gated = gateHeartbeat(api, (error) => {
      gateCalls.push(error);
      return new Promise<boolean>((resolve) => (open = resolve));
    });
    expect(gated.key).toBe(12);
    expect(gated.version).toBe(4);
    let answered: { error: Error | null } | undefined;
    const answer = call(gated, 'group', 3, 'member', null).then((a) => (answered = a));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual([['group', 3, 'member', null]]);
    expect(gateCalls).toHaveLength(1);
    expect(answered).toBeUndefined();
    open(true);
    await answer;
    expect(needsRejoin(answered!.error)).toBe(true);
  });

  it('drops the answer when the gate says the member is leaving', async () => {
    const { api } = fakeApi(12, () => [rebalance(), undefined]);
    let answered = false;
    (gateHeartbeat(api, () => Promise.resolve(false)) as unknown as (...a: unknown[]) => void)({}, 'g', 1, 'm', null, () => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
  });

  it('keeps the session alive while the gate is closed: the same heartbeat again every keepAliveMs', async () => {
    const { api, calls } = fakeApi(12, () => [rebalance(), undefined]);
    let open!: (pass: boolean) => void;
    const gated = gateHeartbeat(api, () => new Promise<boolean>((resolve) => (open = resolve)), 10);
    const answer = call(gated, 'group', 3, 'member', null);
    await new Promise((resolve) => setTimeout(resolve, 75));
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(new Set(calls.map((c) => JSON.stringify(c)))).toEqual(new Set([JSON.stringify(['group', 3, 'member', null])]));
    open(true);
    await answer;
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls.length, 'no keep-alive once the gate opened').toBe(after);
  });

  it('passes other answers straight through, and opens on a failing gate too', async () => {
    const ok = fakeApi(12, () => [null, { throttleTimeMs: 0 }]);
    const neverCalled = () => Promise.reject(new Error('the gate must not be asked'));
    expect(await call(gateHeartbeat(ok.api, neverCalled))).toEqual({ error: null, result: { throttleTimeMs: 0 } });
    const moved = fakeApi(12, () => [coordinatorMoved(), undefined]);
    expect((await call(gateHeartbeat(moved.api, neverCalled))).error?.message).toMatch(/Heartbeat/);
    const failingGate = gateHeartbeat(fakeApi(12, () => [rebalance(), undefined]).api, () => Promise.reject(new Error('gate broke')));
    expect(needsRejoin((await call(failingGate)).error)).toBe(true);
  });

  it('offers the promise style of the client APIs', async () => {
    const { api } = fakeApi(12, () => [null, 'fine']);
    await expect(gateHeartbeat(api, () => Promise.resolve(true)).async({} as never)).resolves.toBe('fine');
  });
});

describe('guardCommit', () => {
  const topics = [{ name: 'ticks', partitions: [{ partitionIndex: 1 }, { partitionIndex: 4 }] }];

  it('asks the guard with the generation and the partitions, and sends when it agrees', async () => {
    const { api, calls } = fakeApi(8, () => [null, { ok: true }]);
    const seen: [number, readonly number[]][] = [];
    const guarded = guardCommit(api, (generation, partitions) => {
      seen.push([generation, partitions]);
      return undefined;
    });
    expect(await call(guarded, 'group', 7, 'member', null, topics)).toEqual({ error: null, result: { ok: true } });
    expect(seen).toEqual([[7, [1, 4]]]);
    expect(calls).toHaveLength(1);
  });

  it('refuses without a request, with an error the client neither retries nor rejoins over', async () => {
    const { api, calls } = fakeApi(8, () => [null, { ok: true }]);
    const guarded = guardCommit(api, () => new Error('partition 4 moved'));
    const { error } = await call(guarded, 'group', 8, 'member', null, topics);
    expect(calls).toEqual([]);
    expect(error?.message).toBe('partition 4 moved');
    expect((error as Error & { canRetry?: boolean }).canRetry).toBe(false);
    expect(needsRejoin(error)).toBe(false);
  });
});

describe('GroupClient', () => {
  const clients: GroupClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => {});
  });

  /** A client that knows these APIs without asking a broker. */
  const offline = (): GroupClient => {
    const client = new GroupClient({ clientId: 'unit', groupId: 'g', bootstrapBrokers: ['127.0.0.1:1'], autocommit: false });
    clients.push(client);
    const apis = [
      { apiKey: 12, name: 'Heartbeat', minVersion: 0, maxVersion: 4 },
      { apiKey: 8, name: 'OffsetCommit', minVersion: 0, maxVersion: 9 },
      { apiKey: 3, name: 'Metadata', minVersion: 0, maxVersion: 12 },
    ];
    (client as unknown as Record<symbol, unknown>)[kListApis] = (cb: Callback<typeof apis>) => cb(null, apis);
    return client;
  };
  const lookup = (client: Consumer, name: string, own: boolean) =>
    new Promise<API<unknown[], unknown>>((resolve, reject) => {
      const get = own ? client[kGetApi].bind(client) : Consumer.prototype[kGetApi].bind(client);
      get<unknown[], unknown>(name, (error, api) => (error || !api ? reject(error ?? new Error('no api')) : resolve(api)));
    });

  it('wraps Heartbeat and OffsetCommit and leaves the other protocol functions alone', async () => {
    const client = offline();
    for (const name of ['Heartbeat', 'OffsetCommit']) {
      const original = await lookup(client, name, false);
      const wrapped = await lookup(client, name, true);
      expect(wrapped, name).not.toBe(original);
      expect([wrapped.key, wrapped.version]).toEqual([original.key, original.version]);
    }
    expect(await lookup(client, 'Metadata', true)).toBe(await lookup(client, 'Metadata', false));
  });

  it('routes a real Heartbeat answer through beforeRejoin, and a real OffsetCommit through commitGuard', async () => {
    const client = offline();
    const sent: number[] = [];
    const connection = {
      send: (apiKey: number, _v: number, _payload: unknown, _parse: unknown, _a: unknown, _b: unknown, cb: Callback<unknown>) => {
        sent.push(apiKey);
        setImmediate(() => cb(apiKey === 12 ? rebalance() : null, {}));
      },
    };
    let gateOpen!: (pass: boolean) => void;
    let asked = 0;
    client.beforeRejoin = () => {
      asked++;
      return new Promise<boolean>((resolve) => (gateOpen = resolve));
    };
    client.commitGuard = (generation) => (generation === 1 ? undefined : new Error('stale generation'));

    // The first lookup of a client lists the broker's APIs and recurses through the override.
    const heartbeat = await lookup(client, 'Heartbeat', true);
    let done = false;
    const answer = new Promise<Error | null>((resolve) => (heartbeat as unknown as (...a: unknown[]) => void)(connection, 'g', 1, 'm', null, (e: Error | null) => resolve(e))).then((e) => {
      done = true;
      return e;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([asked, done]).toEqual([1, false]);
    gateOpen(true);
    expect(needsRejoin(await answer)).toBe(true);
    expect(asked, 'the gate is asked once per answer (the API is wrapped once)').toBe(1);

    const commit = await lookup(client, 'OffsetCommit', true);
    const commitWith = (generation: number) =>
      new Promise<Error | null>((resolve) => (commit as unknown as (...a: unknown[]) => void)(connection, 'g', generation, 'm', null, [{ name: 't', partitions: [] }], (e: Error | null) => resolve(e)));
    expect(await commitWith(1)).toBeNull();
    expect((await commitWith(2))?.message).toBe('stale generation');
    expect(sent.filter((k) => k === 8)).toEqual([8]);
  });

  it('still finds the hooks in the installed client: its group code looks the APIs up through kGetApi', () => {
    // A tripwire for upgrades: if @platformatic/kafka stops calling these through kGetApi, the
    // rejoin gate and the commit guard would silently stop working.
    const entry = createRequire(import.meta.url).resolve('@platformatic/kafka');
    const source = readFileSync(join(dirname(entry), 'clients', 'consumer', 'consumer.js'), 'utf8');
    expect(source).toContain("this[kGetApi]('Heartbeat'");
    expect(source).toContain("this[kGetApi]('OffsetCommit'");
    // The heartbeat callback rejoins only while the membership is active: leaveGroup() stops it.
    expect(source).toMatch(/#heartbeat\(options\)[\s\S]*?!this\.#membershipActive[\s\S]*?#getRejoinError/);
  });
});
