import { Consumer, kGetApi, UserError, type API, type Callback } from '@platformatic/kafka';
import { flattenErrors } from './errors.js';

/**
 * The @platformatic/kafka Consumer with two hooks into its group protocol, installed by wrapping
 * the protocol functions it looks up through the exported `kGetApi` symbol:
 *
 * - **Heartbeat → rejoin gate.** In the classic group protocol a member learns of a rebalance from a
 *   heartbeat answer (REBALANCE_IN_PROGRESS, or ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID when it was
 *   dropped) and must rejoin. The client rejoins at once, from its heartbeat callback, even while
 *   the member's handler is still working on records of partitions the rebalance may hand to
 *   someone else, who would then read them too. The Java client avoids that by rejoining only from
 *   `poll()`, after the previous batch (and `onPartitionsRevoked`). Here the heartbeat answer is
 *   held until `beforeRejoin` resolves: the member finishes and commits its batch first, so a
 *   record is with one member at a time. The coordinator waits for it up to the rebalance timeout;
 *   meanwhile the same heartbeat is sent again every heartbeat interval, so the session does not
 *   expire (as the Java client's heartbeat thread does). `beforeRejoin` resolving `false` swallows
 *   the answer: a member that is leaving must not rejoin.
 *
 * - **OffsetCommit → generation guard.** When a commit fails because the member was dropped, the
 *   client rejoins and commits again under the new generation, where the partition may belong to
 *   another member: the stale commit would move that member's position. `commitGuard` is asked
 *   before each OffsetCommit request and refuses one made under another generation than the batch
 *   was read in; the batch then counts as not acknowledged and is delivered again.
 *
 * `kGetApi` is part of the package's exports but not of its documented API; the unit tests check
 * the wrappers, and the version is pinned (~1.35).
 */
export class GroupClient extends Consumer<Buffer, Buffer, Buffer, Buffer> {
  /** Resolves `true` to let the client rejoin, `false` to drop the answer (the member is leaving). */
  beforeRejoin: ((error: Error) => Promise<boolean>) | undefined;
  commitGuard: ((generationId: number, partitions: readonly number[]) => Error | undefined) | undefined;
  private readonly keepAliveMs: number;

  constructor(options: ConstructorParameters<typeof Consumer<Buffer, Buffer, Buffer, Buffer>>[0]) {
    super(options);
    this.keepAliveMs = ('heartbeatInterval' in options ? options.heartbeatInterval : undefined) ?? 3_000;
  }

  override [kGetApi]<RequestArguments extends Array<unknown>, ResponseType>(name: string, callback: Callback<API<RequestArguments, ResponseType>>): void {
    super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) => {
      // The base lookup recurses through this override once it has listed the broker's APIs: an
      // API that comes back wrapped already must not be wrapped twice.
      if (error || !api || isWrapped(api)) {
        callback(error, api);
        return;
      }
      if (name === 'Heartbeat') {
        callback(null, gateHeartbeat(api, (e) => this.beforeRejoin?.(e) ?? Promise.resolve(true), this.keepAliveMs));
        return;
      }
      if (name === 'OffsetCommit') {
        callback(null, guardCommit(api, (generation, partitions) => this.commitGuard?.(generation, partitions)));
        return;
      }
      callback(null, api);
    });
  }
}

/** True for the heartbeat answers after which a classic-protocol member must rejoin its group. */
export function needsRejoin(error: unknown): boolean {
  return flattenErrors(error).some((e) => (e as { needsRejoin?: unknown }).needsRejoin === true);
}

/**
 * Heartbeat(connection, groupId, generationId, memberId, groupInstanceId, callback): an answer that
 * calls for a rejoin reaches the client only after `gate(error)` resolved `true` (or failed), and
 * never when it resolved `false`. While the gate is closed the same heartbeat is sent again every
 * `keepAliveMs`, answers ignored, to keep the member's session alive.
 */
export function gateHeartbeat<A extends Array<unknown>, R>(api: API<A, R>, gate: (error: Error) => Promise<boolean>, keepAliveMs?: number): API<A, R> {
  return wrapApi(api, (args, send) => {
    const callback = args.pop() as Callback<R>;
    send(args, (error, result) => {
      if (!error || !needsRejoin(error)) {
        callback(error, result);
        return;
      }
      const beat = (): void => {
        try {
          send([...args], () => {});
        } catch {
          // A closed connection: the member is going away anyway.
        }
      };
      const keepAlive = keepAliveMs ? setInterval(beat, keepAliveMs) : undefined;
      keepAlive?.unref();
      gate(error).then(
        (pass) => {
          clearInterval(keepAlive);
          if (pass) callback(error, result);
        },
        () => {
          clearInterval(keepAlive);
          callback(error, result);
        },
      );
    });
  });
}

/**
 * OffsetCommit(connection, groupId, generationIdOrMemberEpoch, memberId, groupInstanceId, topics,
 * callback): refused without a request when `guard(generationId, partitions)` returns an error.
 * The refusal is a non-retriable client error, so the client neither retries it nor rejoins over it.
 */
export function guardCommit<A extends Array<unknown>, R>(api: API<A, R>, guard: (generationId: number, partitions: readonly number[]) => Error | undefined): API<A, R> {
  return wrapApi(api, (args, done) => {
    const generation = args[1];
    const refusal = typeof generation === 'number' ? guard(generation, committedPartitions(args[4])) : undefined;
    if (refusal) {
      const callback = args.at(-1) as Callback<R>;
      callback(new UserError(refusal.message, { cause: refusal }));
      return;
    }
    const callback = args.pop() as Callback<R>;
    done(args, callback);
  });
}

/** Partition indexes of an OffsetCommit request body: `[{ name, partitions: [{ partitionIndex, … }] }]`. */
function committedPartitions(topics: unknown): number[] {
  const out: number[] = [];
  if (!Array.isArray(topics)) return out;
  for (const topic of topics as { partitions?: unknown }[]) {
    if (!Array.isArray(topic?.partitions)) continue;
    for (const p of topic.partitions as { partitionIndex?: unknown }[]) if (typeof p?.partitionIndex === 'number') out.push(p.partitionIndex);
  }
  return out;
}

const kWrapped = Symbol('tickstream.kafka.wrappedApi');

function isWrapped(api: object): boolean {
  return (api as Record<symbol, unknown>)[kWrapped] === true;
}

type Call<R> = (args: unknown[], callback: Callback<R>) => void;

/** A protocol function with the same shape as `api` (callback or promise style) whose calls go through `intercept`. */
function wrapApi<A extends Array<unknown>, R>(api: API<A, R>, intercept: (args: unknown[], done: Call<R>) => void): API<A, R> {
  const callbackStyle = (connection: unknown, ...args: unknown[]): void => {
    // Like the client's own APIs: the callback is the last argument, optional.
    if (typeof args.at(-1) !== 'function') args.push(() => {});
    intercept(args, (rest, cb) => (api as unknown as (...a: unknown[]) => void)(connection, ...rest, cb));
  };
  const promiseStyle = (connection: unknown, ...args: unknown[]): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      callbackStyle(connection, ...args, (error: Error | null, result?: R) => (error ? reject(error) : resolve(result as R)));
    });
  return Object.assign(callbackStyle, { async: promiseStyle, key: api.key, version: api.version, [kWrapped]: true }) as unknown as API<A, R>;
}
