/**
 * `tickstream/client`: the resumable client of the tickstream gateway, for browsers and Node.
 * See README "Client library" for an example.
 */
export { TickstreamClient, type ConnectionStatus, type SocketLike, type Timers, type TickstreamClientEvents, type TickstreamClientOptions } from './tickstream-client.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type {
  WireTick,
  WireAlert,
  WireUser,
  ControlMessage,
  ServerMessage,
  IndicatorSelection,
  IndicatorSnapshotMessage,
  IndicatorUpdateMessage,
  IndicatorSeries,
} from '../protocol/index.js';
