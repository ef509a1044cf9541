import type { ActivityLog } from '../lib/activity.js';
import { ApiError } from '../lib/api.js';
import { price as fmtPrice } from '../lib/format.js';
import { orderName } from '../lib/order-ticket.js';
import { Store } from '../lib/store.js';
import { isOpen, type OrderInput } from '../../../src/protocol/index.js';
import type { TradingApi, WireFill, WireOrder, WirePortfolio } from '../lib/trading-api.js';
import type { Notices } from './notices.js';
import { describeError, type UiStore } from './state.js';

export interface TradingState {
  /** The server has paper trading; undefined while checking. */
  readonly available: boolean | undefined;
  /** Trading shows only with a session; undefined token: signed out. */
  readonly token: string | undefined;
  readonly portfolio: WirePortfolio | undefined;
  /** New, accepted and partially filled orders, newest first. */
  readonly openOrders: readonly WireOrder[];
  /** Newest first. */
  readonly fills: readonly WireFill[];
  /** A submission or reset is on its way. */
  readonly busy: boolean;
  /** Orders whose cancel is on its way. */
  readonly canceling: ReadonlySet<number>;
  /** The server's refusal of the last submission, cancel or reset: "message (CODE)". */
  readonly error: string | undefined;
  /** The last order this page submitted, as the server answered it. */
  readonly submitted: WireOrder | undefined;
}

export interface TradingDeps {
  readonly ui: UiStore;
  readonly api: TradingApi;
  readonly activity: ActivityLog;
  readonly notices: Notices;
  /** The server refused the token (401): the session is over. */
  readonly signOut: (reason: string) => void;
}

const EMPTY: Omit<TradingState, 'token' | 'available'> = { portfolio: undefined, openOrders: [], fills: [], busy: false, canceling: new Set(), error: undefined, submitted: undefined };

const FILLS_SHOWN = 50;

/**
 * Paper trading for the signed-in user: the portfolio, open orders and fills loaded over REST when
 * a session starts (and again when the socket authenticates, to cover what a disconnect missed),
 * then kept current by the socket's `order` and `portfolio` messages. A fill is announced once,
 * when an order's filled quantity grows past what the page already knew.
 */
export class Trading {
  readonly state: Store<TradingState>;
  /** Every order seen this session, latest version: REST answers and socket messages race. */
  private readonly known = new Map<number, WireOrder>();
  /** The key of a submission that got no answer, reused when the same order is sent again. */
  private pending: { body: string; key: string } | undefined;
  private fillsLoading: Promise<void> | undefined;
  private fillsAgain = false;

  constructor(private readonly deps: TradingDeps) {
    this.state = new Store<TradingState>({ available: undefined, token: undefined, ...EMPTY });
  }

  private get token(): string | undefined {
    return this.deps.ui.get().account.session?.token;
  }

  /** Once the server is known to trade, follows the session: loads on sign-in, forgets everything on sign-out. */
  async start(): Promise<void> {
    const available = await this.deps.api.available();
    this.state.set({ available });
    if (!available) return;
    const follow = (): void => {
      const token = this.token;
      if (token === this.state.get().token) return;
      this.known.clear();
      this.pending = undefined;
      this.state.set({ token, ...EMPTY });
      if (token) void this.load();
    };
    this.deps.ui.subscribe(follow);
    follow();
  }

  /** Portfolio, open orders and fills from REST. */
  async load(): Promise<void> {
    const token = this.token;
    if (!token || !this.state.get().available) return;
    try {
      const [portfolio, openOrders, fills] = await Promise.all([this.deps.api.portfolio(token), this.deps.api.openOrders(token), this.deps.api.fills(token, FILLS_SHOWN)]);
      if (token !== this.token) return;
      for (const o of openOrders) this.remember(o);
      this.state.set({ portfolio, fills, openOrders: this.open() });
    } catch (error) {
      this.failed(error);
    }
  }

  async submit(order: OrderInput): Promise<WireOrder | undefined> {
    const token = this.token;
    if (!token) return undefined;
    const body = JSON.stringify(order);
    const key = this.pending?.body === body ? this.pending.key : newKey();
    this.pending = { body, key };
    this.state.set({ busy: true, error: undefined });
    try {
      const created = await this.deps.api.submit(token, order, key);
      this.pending = undefined;
      this.apply(created);
      this.state.set({ busy: false, submitted: this.known.get(created.id) ?? created });
      return created;
    } catch (error) {
      // A refusal is final for this body; without an answer the same order may have been taken.
      if (error instanceof ApiError) this.pending = undefined;
      this.state.set({ busy: false });
      this.failed(error);
      return undefined;
    }
  }

  async cancel(order: WireOrder): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.state.set((s) => ({ canceling: new Set([...s.canceling, order.id]), error: undefined }));
    try {
      this.apply(await this.deps.api.cancel(token, order.id));
    } catch (error) {
      // Filled or expired meanwhile: the order's message says what it became; reload to be sure.
      if (error instanceof ApiError && error.code === 'ORDER_NOT_CANCELABLE') void this.load();
      this.failed(error);
    } finally {
      this.state.set((s) => ({ canceling: new Set([...s.canceling].filter((id) => id !== order.id)) }));
    }
  }

  /** Back to the starting cash: no positions, orders or fills. */
  async reset(): Promise<boolean> {
    const token = this.token;
    if (!token) return false;
    this.state.set({ busy: true, error: undefined });
    try {
      const portfolio = await this.deps.api.reset(token);
      this.known.clear();
      this.state.set({ busy: false, portfolio, openOrders: [], fills: [], submitted: undefined });
      this.deps.activity.add('order', `Portfolio reset: ${fmtPrice(portfolio.cash)} cash, no positions, orders or fills.`);
      return true;
    } catch (error) {
      this.state.set({ busy: false });
      this.failed(error);
      return false;
    }
  }

  /** The socket's `order` and `portfolio` messages (the authenticated user's only). */
  onMessage(message: { type: string } & Record<string, unknown>): void {
    if (!this.state.get().token) return;
    if (message.type === 'order' && isOrder(message.order)) this.apply(message.order);
    else if (message.type === 'portfolio' && isPortfolio(message.portfolio)) this.state.set({ portfolio: message.portfolio });
  }

  dismissError(): void {
    this.state.set({ error: undefined });
  }

  /** Takes a newer version of an order: the open list, the log line, and a toast when it filled more or was rejected. */
  private apply(order: WireOrder): void {
    const before = this.known.get(order.id);
    if (!this.remember(order)) return;
    this.state.set((s) => ({ openOrders: this.open(), submitted: s.submitted?.id === order.id ? order : s.submitted }));
    this.deps.activity.add('order', orderLine(order));
    const filled = order.filledQuantity - (before?.filledQuantity ?? 0);
    if (filled > 0) {
      const verb = order.side === 'buy' ? 'Bought' : 'Sold';
      const avg = order.averageFillPrice === null ? '' : ` at ${fmtPrice(order.averageFillPrice)} average`;
      this.deps.notices.toast(order.status === 'filled' ? 'Order filled' : 'Order partially filled', `${verb} ${filled} ${order.symbol} — ${order.filledQuantity} of ${order.quantity} filled${avg} (order #${order.id}).`);
      void this.refreshFills();
    } else if (order.status === 'rejected' && before?.status !== 'rejected') {
      const why = order.reason === null ? '' : `: ${REJECTIONS[order.reason] ?? order.reason}`;
      this.deps.notices.toast('Order rejected', `${orderName(order)}${why} (order #${order.id}).`);
    }
  }

  /** Keeps `order` if it is not older than the version known; true when it was kept. */
  private remember(order: WireOrder): boolean {
    const known = this.known.get(order.id);
    if (known && !isNewer(order, known)) return false;
    this.known.set(order.id, order);
    return true;
  }

  private open(): WireOrder[] {
    return [...this.known.values()].filter((o) => isOpen(o.status)).sort((a, b) => b.id - a.id);
  }

  /** One request at a time; fills that came while it ran ask for one more. */
  private async refreshFills(): Promise<void> {
    if (this.fillsLoading) {
      this.fillsAgain = true;
      return this.fillsLoading;
    }
    this.fillsLoading = (async () => {
      do {
        this.fillsAgain = false;
        const token = this.token;
        if (!token) return;
        try {
          const fills = await this.deps.api.fills(token, FILLS_SHOWN);
          if (token === this.token) this.state.set({ fills });
        } catch (error) {
          this.failed(error);
          return;
        }
      } while (this.fillsAgain);
    })().finally(() => (this.fillsLoading = undefined));
    return this.fillsLoading;
  }

  private failed(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.deps.signOut('Your session expired; log in again.');
      return;
    }
    this.state.set({ error: describeError(error) });
  }
}

/** Why the engine rejected an order at its first chance to fill, for people. */
const REJECTIONS: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'not enough cash at the price it would have filled at',
  INSUFFICIENT_POSITION: 'not enough shares held to sell',
};

const CLOSED_RANK: Record<string, number> = { new: 0, accepted: 1, partially_filled: 2, filled: 3, canceled: 3, rejected: 3, expired: 3 };

/** Later update time wins; at the same time, more filled or further along wins. A closed order never reopens. */
function isNewer(next: WireOrder, known: WireOrder): boolean {
  if (!isOpen(known.status) && isOpen(next.status)) return false;
  if (next.filledQuantity !== known.filledQuantity) return next.filledQuantity > known.filledQuantity;
  if (next.updatedAt !== known.updatedAt) return Date.parse(next.updatedAt) > Date.parse(known.updatedAt);
  return (CLOSED_RANK[next.status] ?? 0) > (CLOSED_RANK[known.status] ?? 0);
}

function orderLine(o: WireOrder): string {
  const fill = o.filledQuantity > 0 ? `, ${o.filledQuantity}/${o.quantity} filled${o.averageFillPrice === null ? '' : ` at ${fmtPrice(o.averageFillPrice)} avg`}` : '';
  const reason = o.reason ? ` (${o.reason})` : '';
  return `#${o.id} ${orderName(o)} ${o.timeInForce}: ${o.status.replace('_', ' ')}${reason}${fill}`;
}

const isOrder = (v: unknown): v is WireOrder => typeof v === 'object' && v !== null && typeof (v as WireOrder).id === 'number' && typeof (v as WireOrder).status === 'string';
const isPortfolio = (v: unknown): v is WirePortfolio => typeof v === 'object' && v !== null && Array.isArray((v as WirePortfolio).positions);

/** An Idempotency-Key: 128 random bits (crypto.randomUUID needs a secure context; this does not). */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
