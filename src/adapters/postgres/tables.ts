import type { Generated, Selectable } from 'kysely';
import type { AlertCondition, AlertMode, AlertStatus } from '../../domain/alerts/alert.js';
import type { OrderSide, OrderStatus, OrderType, TimeInForce } from '../../domain/orders/order.js';

/**
 * The SQL schema as kysely sees it (migrations.ts creates it). Both engines return int8 as a
 * JavaScript number (ids, seqs and revisions stay far below 2^53) and timestamptz as a Date.
 */
export interface Tables {
  schema_migrations: SchemaMigrationsTable;
  users: UsersTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  alert_deletions: AlertDeletionsTable;
  paper_accounts: PaperAccountsTable;
  orders: OrdersTable;
  fills: FillsTable;
  fill_days: FillDaysTable;
  positions: PositionsTable;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface AlertsTable {
  id: Generated<number>;
  user_id: number;
  symbol: string;
  condition: AlertCondition;
  threshold: number;
  mode: AlertMode;
  cooldown_seconds: number;
  note: string | null;
  status: AlertStatus;
  armed: boolean;
  created_at: Generated<Date>;
  /** Set by trigger on every update: the change feed's clock. */
  updated_at: Generated<Date>;
  /** From a sequence, by trigger on every update. */
  revision: Generated<number>;
  triggered_at: Date | null;
  triggered_price: number | null;
  trigger_count: Generated<number>;
  last_fired_seq: number | null;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: number;
  user_id: number;
  symbol: string;
  price: number;
  seq: number;
  tick_ts: Date;
  fired_at: Generated<Date>;
}

export interface AlertDeletionsTable {
  alert_id: number;
  deleted_at: Generated<Date>;
}

export type AlertRow = Selectable<AlertsTable>;
export type UserRow = Selectable<UsersTable>;

/** Paper trading: money columns are integers of 1/10,000 USD. */
export interface PaperAccountsTable {
  user_id: number;
  cash: number;
  starting_cash: number;
  updated_at: Generated<Date>;
}

export interface OrdersTable {
  id: Generated<number>;
  user_id: number;
  idempotency_key: string | null;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  time_in_force: TimeInForce;
  quantity: number;
  filled_quantity: Generated<number>;
  filled_value: Generated<number>;
  limit_price: number | null;
  stop_price: number | null;
  status: OrderStatus;
  reason: string | null;
  triggered: Generated<boolean>;
  after_seq: number;
  day: number;
  reserved: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface FillsTable {
  id: Generated<number>;
  order_id: number;
  user_id: number;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  seq: number;
  tick_ts: Date;
  created_at: Generated<Date>;
}

/** Per owner, UTC day (of the ticks' time) and symbol: net shares bought and cash paid (−) or got (+) by fills. */
export interface FillDaysTable {
  user_id: number;
  day: Date;
  symbol: string;
  net_quantity: number;
  cash_flow: number;
}

export interface PositionsTable {
  user_id: number;
  symbol: string;
  quantity: number;
  cost_basis: number;
  realized_pnl: Generated<number>;
}

export type OrderRow = Selectable<OrdersTable>;
export type FillRow = Selectable<FillsTable>;
