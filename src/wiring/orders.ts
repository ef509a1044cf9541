import type { AccountRules } from '../domain/orders/account-rules.js';
import { MemoryOrderQueue } from '../adapters/memory/memory-order-queue.js';
import { orderCommandCodec } from '../adapters/order-command-codec.js';
import { RabbitOrderQueue } from '../adapters/rabbitmq/rabbitmq-order-queue.js';
import type { Config, RoleName } from '../config/schema.js';
import type { OrderCommand } from '../domain/orders/commands.js';
import { toMoney } from '../domain/orders/money.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Database } from '../ports/database.js';
import type { Service } from '../ports/lifecycle.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { TradingDeps } from '../servers/http/auth.js';
import { OrdersService } from '../services/orders.js';
import type { Adapters } from './adapters.js';
import { adapterService } from './adapter-service.js';

export interface OrdersWiring {
  readonly queue: OrderQueue<OrderCommand> | undefined;
  /** For the HTTP app, when this process serves the API. */
  readonly trading: TradingDeps | undefined;
  /** The order queue and the orders role, in start order (after the database). */
  readonly services: Service[];
}

/** Paper trading: the order queue (RabbitMQ when AMQP_URL is set, else in-process) and the orders role. */
export function wireOrders(config: Config, has: (role: RoleName) => boolean, adapters: Adapters, database: Database | undefined, metrics: Metrics, logger: Logger): OrdersWiring {
  if (!database || !(has('api') || has('orders'))) return { queue: undefined, trading: undefined, services: [] };
  const retry = { maxAttempts: config.orderMaxAttempts, baseDelayMs: config.orderRetryMs };
  const queue: OrderQueue<OrderCommand> = config.amqpUrl
    ? new RabbitOrderQueue(orderCommandCodec, { url: config.amqpUrl, queue: config.orderQueue, retry, connectionName: config.amqpConnectionName, logger: logger.child({ component: 'rabbitmq' }) })
    : new MemoryOrderQueue(orderCommandCodec, retry);
  const rules: AccountRules = { startingCash: toMoney(Math.round(config.paperStartingCash * 100) / 100), lotSize: config.paperLotSize };
  const services: Service[] = [adapterService('order queue', queue)];
  if (has('orders')) {
    services.push(
      new OrdersService({
        log: adapters.eventLog,
        queue,
        db: database,
        store: adapters.store,
        userEvents: adapters.userEvents,
        refreshMs: config.ordersRefreshMs,
        portfolioIntervalMs: config.portfolioThrottleMs,
        rules,
        maxBatch: config.processorMaxBatch,
        metrics,
        logger: logger.child({ role: 'orders' }),
      }),
    );
  }
  if (!config.amqpUrl && has('api') !== has('orders')) {
    logger.warn('api and orders run in different processes with an in-process order queue (no AMQP_URL): orders reach the orders role only through its database poll (ORDERS_REFRESH_MS)');
  }
  return { queue, trading: has('api') ? { queue, store: adapters.store, rules } : undefined, services };
}
