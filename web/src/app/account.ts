import { AccountsUnavailable, type AccountsApi } from '../lib/accounts.js';
import type { ActivityLog } from '../lib/activity.js';
import { ApiError } from '../lib/api.js';
import { KEYS, save, type KeyValue } from '../lib/storage.js';
import type { TickstreamClient } from '../../../src/client/index.js';
import type { Alert, NewAlert } from '../lib/types.js';
import { describeError, type AccountState, type UiStore } from './state.js';

export interface AccountDeps {
  readonly ui: UiStore;
  readonly accounts: AccountsApi;
  readonly activity: ActivityLog;
  readonly storage: KeyValue | undefined;
  readonly socket: TickstreamClient;
}

/** Signing up, in and out, and the signed-in user's price alerts. */
export class Account {
  constructor(private readonly deps: AccountDeps) {}

  /** The token a remembered session brings, for the socket. */
  get token(): string | undefined {
    return this.deps.ui.get().account.session?.token;
  }

  set(patch: Partial<AccountState>): void {
    this.deps.ui.set((s) => ({ account: { ...s.account, ...patch } }));
  }

  async start(): Promise<void> {
    const available = await this.deps.accounts.available();
    this.set({ available });
    if (!available) {
      this.deps.activity.add('system', 'Accounts are not available on this server: alerts are off.');
      return;
    }
    if (this.token) await this.loadAlerts();
  }

  async signIn(kind: 'login' | 'register', username: string, password: string): Promise<void> {
    const { accounts, storage, socket, activity } = this.deps;
    this.set({ busy: true, error: undefined });
    try {
      const session = kind === 'login' ? await accounts.login(username, password) : await accounts.register(username, password);
      save(storage, KEYS.session, session);
      this.set({ session, busy: false, available: true });
      if (this.deps.ui.get().streamNote?.kind === 'signedOut') this.deps.ui.set({ streamNote: undefined });
      socket.setToken(session.token);
      activity.add('system', `${kind === 'login' ? 'Logged in' : 'Signed up'} as ${session.user.username}.`);
      await this.loadAlerts();
    } catch (error) {
      if (error instanceof AccountsUnavailable) this.set({ available: false, busy: false });
      else this.set({ busy: false, error: describeError(error) });
    }
  }

  /** Forgets the session; `reason` (the server ended it) is shown where the user signs in again. */
  signOut(reason?: string): void {
    save(this.deps.storage, KEYS.session, undefined);
    this.set({ session: undefined, alerts: [], error: reason });
    // Ended by the server (the socket's INVALID_TOKEN or a REST 401, whichever came first): the
    // header says so until the user signs in again.
    if (reason !== undefined) this.deps.ui.set({ streamNote: { kind: 'signedOut', reason } });
    this.deps.socket.setToken(undefined);
    this.deps.activity.add('system', reason ?? 'Logged out.');
  }

  async loadAlerts(): Promise<void> {
    const token = this.token;
    if (!token) return;
    try {
      this.set({ alerts: await this.deps.accounts.alerts(token) });
    } catch (error) {
      this.handleError(error);
    }
  }

  async createAlert(alert: NewAlert): Promise<boolean> {
    const token = this.token;
    if (!token) return false;
    this.set({ busy: true, error: undefined });
    try {
      const created = await this.deps.accounts.createAlert(token, alert);
      this.set({ busy: false, alerts: [...this.deps.ui.get().account.alerts.filter((a) => a.id !== created.id), created] });
      this.deps.activity.add('system', `Alert created: ${created.symbol} ${created.condition} ${created.threshold}.`);
      return true;
    } catch (error) {
      this.set({ busy: false });
      this.handleError(error);
      return false;
    }
  }

  async deleteAlert(alert: Alert): Promise<void> {
    const token = this.token;
    if (!token) return;
    try {
      await this.deps.accounts.deleteAlert(token, alert.id);
      this.set({ alerts: this.deps.ui.get().account.alerts.filter((a) => a.id !== alert.id) });
      this.deps.activity.add('system', `Alert deleted: ${alert.symbol} ${alert.condition} ${alert.threshold}.`);
    } catch (error) {
      this.handleError(error);
    }
  }

  private handleError(error: unknown): void {
    if (error instanceof ApiError && error.status === 401) {
      this.signOut('Your session expired; log in again.');
      return;
    }
    this.set({ error: describeError(error) });
  }
}
