/**
 * Versioned migrations, applied in order at start (migrator.ts). Never edit a released migration:
 * add a new one. Each is a list of single statements (PGlite's extended protocol runs one at a time).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts and alerts',
    statements: [
      `CREATE TABLE users (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE UNIQUE INDEX users_username_key ON users (lower(username))`,
      `CREATE SEQUENCE alerts_revision`,
      `CREATE TABLE alerts (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        symbol text NOT NULL,
        condition text NOT NULL CHECK (condition IN ('above', 'below', 'crosses_above', 'crosses_below', 'pct_move')),
        threshold double precision NOT NULL CHECK (threshold > 0 AND threshold < 'Infinity'),
        mode text NOT NULL CHECK (mode IN ('once', 'rearm')),
        cooldown_seconds integer NOT NULL DEFAULT 0 CHECK (cooldown_seconds >= 0),
        note text CHECK (char_length(note) <= 500),
        status text NOT NULL CHECK (status IN ('active', 'triggered', 'disabled')),
        armed boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        revision bigint NOT NULL DEFAULT nextval('alerts_revision'),
        triggered_at timestamptz,
        triggered_price double precision,
        trigger_count integer NOT NULL DEFAULT 0,
        last_fired_seq bigint
      )`,
      `CREATE INDEX alerts_user ON alerts (user_id, id)`,
      `CREATE INDEX alerts_active ON alerts (symbol) WHERE status = 'active'`,
      `CREATE INDEX alerts_updated ON alerts (updated_at)`,
      // Every update moves the change feed, whoever writes: the API, the alerts role, or an operator.
      `CREATE FUNCTION alerts_touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.revision := nextval('alerts_revision');
        NEW.updated_at := now();
        RETURN NEW;
      END $$`,
      `CREATE TRIGGER alerts_touch BEFORE UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_touch()`,
      `CREATE TABLE alert_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        alert_id integer NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        user_id integer NOT NULL,
        symbol text NOT NULL,
        price double precision NOT NULL,
        seq bigint NOT NULL,
        tick_ts timestamptz NOT NULL,
        fired_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (alert_id, seq)
      )`,
      // Deletions leave a tombstone so other processes' caches hear about them.
      `CREATE TABLE alert_deletions (
        alert_id integer PRIMARY KEY,
        deleted_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX alert_deletions_at ON alert_deletions (deleted_at)`,
      `CREATE FUNCTION alerts_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO alert_deletions (alert_id) VALUES (OLD.id)
          ON CONFLICT (alert_id) DO UPDATE SET deleted_at = now();
        RETURN OLD;
      END $$`,
      `CREATE TRIGGER alerts_tombstone AFTER DELETE ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_tombstone()`,
    ],
  },
  {
    version: 2,
    name: 'paper trading',
    statements: [
      // Money columns are integers of 1/10,000 USD (domain/orders/money.ts): exact, never floats.
      `CREATE TABLE paper_accounts (
        user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        cash bigint NOT NULL,
        starting_cash bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE orders (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        idempotency_key text,
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        type text NOT NULL CHECK (type IN ('market', 'limit', 'stop', 'stop_limit')),
        time_in_force text NOT NULL CHECK (time_in_force IN ('day', 'gtc', 'ioc')),
        quantity integer NOT NULL CHECK (quantity > 0),
        filled_quantity integer NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
        filled_value bigint NOT NULL DEFAULT 0,
        limit_price bigint,
        stop_price bigint,
        status text NOT NULL CHECK (status IN ('new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')),
        reason text,
        triggered boolean NOT NULL DEFAULT false,
        after_seq bigint NOT NULL,
        day bigint NOT NULL,
        reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, idempotency_key)
      )`,
      `CREATE INDEX orders_user ON orders (user_id, id)`,
      `CREATE INDEX orders_open ON orders (symbol) WHERE status IN ('new', 'accepted', 'partially_filled')`,
      // One fill per order and tick: a tick delivered twice cannot fill an order twice.
      `CREATE TABLE fills (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        order_id integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        user_id integer NOT NULL,
        symbol text NOT NULL,
        side text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        price bigint NOT NULL CHECK (price > 0),
        seq bigint NOT NULL,
        tick_ts timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, seq)
      )`,
      `CREATE INDEX fills_user ON fills (user_id, id)`,
      `CREATE TABLE positions (
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        symbol text NOT NULL,
        quantity integer NOT NULL CHECK (quantity >= 0),
        cost_basis bigint NOT NULL,
        realized_pnl bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, symbol)
      )`,
    ],
  },
  {
    version: 3,
    name: 'open orders and day fills by owner',
    statements: [
      // Buying power reads its owners' open orders on every submission and fill batch: through
      // orders_open (by symbol) that was every open order of every user, through orders_user
      // every order the owners ever placed; either grows with what others or the past hold.
      `CREATE INDEX orders_user_open ON orders (user_id) WHERE status IN ('new', 'accepted', 'partially_filled')`,
      // Day P&L reads an owner's fills since midnight UTC, not all of them.
      `CREATE INDEX fills_user_time ON fills (user_id, tick_ts)`,
    ],
  },
  {
    version: 4,
    name: 'fills summed per owner, day and symbol',
    statements: [
      // Day P&L needs today's net shares and cash flow per symbol; summing today's fills on every
      // valuation (a few times a second per trader) grew with the day's fills. A fill batch adds
      // to these rows as it records its fills; valuing reads one row per symbol traded today.
      `CREATE TABLE fill_days (
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        day timestamptz NOT NULL,
        symbol text NOT NULL,
        net_quantity bigint NOT NULL,
        cash_flow bigint NOT NULL,
        PRIMARY KEY (user_id, day, symbol)
      )`,
      `INSERT INTO fill_days (user_id, day, symbol, net_quantity, cash_flow)
       SELECT user_id, date_trunc('day', tick_ts, 'UTC'), symbol,
              sum(CASE WHEN side = 'buy' THEN quantity ELSE -quantity END),
              sum(CASE WHEN side = 'buy' THEN -(price * quantity) ELSE price * quantity END)
       FROM fills GROUP BY 1, 2, 3`,
      // Day P&L no longer reads fills by time; nothing else does, and every fill paid for the index.
      `DROP INDEX fills_user_time`,
    ],
  },
];
