import type { Consumer } from '../ports/event-log.js';

interface Member {
  stop(): Promise<void>;
  abort(): Promise<void>;
}

/** Adds a group member to the log's set and hands out a Consumer that forgets it when ended. */
export function trackedConsumer<M extends Member>(members: Set<M>, member: M): Consumer {
  members.add(member);
  return {
    stop: async () => {
      await member.stop();
      members.delete(member);
    },
    abort: async () => {
      await member.abort();
      members.delete(member);
    },
  };
}
