import type { Metrics } from './metrics.js';

/** The figures the kafka-stream-sim bridge reported in `/health`, `/metrics` (JSON) and its Socket.IO `metrics` event. */
export interface TrafficFigures {
  /** Ticks this process handled: delivered by its gateway, or, without one, read by its processor. */
  readonly messagesProcessed: number;
  /** Open WebSocket and Socket.IO clients of this process. */
  readonly connectedClients: number;
  /** `messagesProcessed` per second since the previous reading at least a second ago. */
  readonly messagesPerSecond: number;
  /** Milliseconds since start. */
  readonly uptime: number;
  /** Epoch milliseconds at start. */
  readonly startTime: number;
}

const counterValue = async (metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> =>
  (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);

/** Reads the process's Prometheus metrics into the reference system's JSON figures. */
export class Traffic {
  private previous: { at: number; count: number };
  private rate = 0;

  constructor(
    private readonly metrics: Metrics,
    private readonly hasGateway: boolean,
    readonly startTime: number = Date.now(),
    private readonly now: () => number = Date.now,
  ) {
    this.previous = { at: startTime, count: 0 };
  }

  async figures(): Promise<TrafficFigures> {
    const { metrics } = this;
    const [delivered, processed, ws, sio] = await Promise.all([
      counterValue(metrics.gatewayTicksDelivered),
      counterValue(metrics.ticksProcessed),
      counterValue(metrics.wsConnections),
      counterValue(metrics.socketIoConnections),
    ]);
    const messagesProcessed = this.hasGateway ? delivered : processed;
    const now = this.now();
    // A rate over at least a second: readings closer together reuse the last one.
    if (now - this.previous.at >= 1_000) {
      this.rate = ((messagesProcessed - this.previous.count) * 1_000) / (now - this.previous.at);
      this.previous = { at: now, count: messagesProcessed };
    }
    return {
      messagesProcessed,
      connectedClients: ws + sio,
      messagesPerSecond: Math.round(this.rate * 10) / 10,
      uptime: now - this.startTime,
      startTime: this.startTime,
    };
  }
}
