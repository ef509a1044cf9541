import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from '../../observability/logger.js';
import { readiness } from '../../observability/readiness.js';
import type { Adapter } from '../../ports/lifecycle.js';

/** How often readiness is re-checked for health checking (`/ready` checks on every request). */
const HEALTH_REFRESH_MS = 1_000;

/**
 * grpc.health.v1.Health (grpc-health-check) answering what `/ready` answers: SERVING while every
 * engine this process uses responds, NOT_SERVING otherwise and from the start of shutdown. The
 * empty service name is the whole server; each tickstream service is listed under its full name.
 * Watch streams get every change.
 */
export class GrpcHealth {
  private readonly health: HealthImplementation;
  private timer: NodeJS.Timeout | undefined;
  private last: ServingStatus = 'NOT_SERVING';
  private stopped = false;

  constructor(
    private readonly services: readonly string[],
    private readonly checks: Readonly<Record<string, Adapter>>,
    private readonly logger: Logger,
  ) {
    this.health = new HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'NOT_SERVING' as ServingStatus])));
  }

  addToServer(server: Server): void {
    this.health.addToServer(server);
  }

  /** Checks once (so the first answer is already true), then every HEALTH_REFRESH_MS. */
  async start(): Promise<void> {
    await this.refresh();
    const tick = (): void => {
      this.timer = setTimeout(() => void this.refresh().finally(() => !this.stopped && tick()), HEALTH_REFRESH_MS);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.set('NOT_SERVING');
  }

  private async refresh(): Promise<void> {
    const { ready, checks } = await readiness(this.checks);
    if (this.stopped) return;
    const status: ServingStatus = ready ? 'SERVING' : 'NOT_SERVING';
    if (status === this.last) return;
    this.logger.info({ status, checks }, 'gRPC health changed');
    this.set(status);
  }

  private set(status: ServingStatus): void {
    this.last = status;
    for (const service of ['', ...this.services]) this.health.setStatus(service, status);
  }
}
