/**
 * The wire of protocol v1, once: what the gateway sends and parses, and what every client (the
 * dashboard, `tickstream tail`, src/client, the tests, the benchmark) reads and writes. Pure
 * TypeScript with no Node or DOM dependency, so browsers bundle it too.
 *
 * Adding a server → client message type: its interface and builder in server-messages.ts (join
 * `ControlMessage`), the gateway code that sends it, and the README's protocol section.
 */
export * from './client-messages.js';
export * from './close-codes.js';
export * from './errors.js';
export * from './indicator-messages.js';
export * from './server-messages.js';
export * from './symbols.js';
export * from './tick.js';
export * from './orders.js';
export * from './trading-messages.js';
export * from './socketio.js';
