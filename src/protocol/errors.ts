/**
 * The stable error codes a client can match on, shared by HTTP bodies and WebSocket `error`
 * messages. They are defined beside the domain's error class (the domain throws them); the wire
 * takes them from here.
 */
export { ERROR_CODES, type ErrorCode } from '../domain/errors.js';
