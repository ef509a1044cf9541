import { ApiError, readJson, type FetchLike } from './api.js';
import type { Alert, NewAlert, User } from './types.js';

export interface Session {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: string | undefined;
}

/** Raised when the server has no accounts (404 or 501 on the accounts routes). */
export class AccountsUnavailable extends Error {
  constructor() {
    super('Accounts are not available on this server.');
    this.name = 'AccountsUnavailable';
  }
}

const unavailable = (error: unknown): never => {
  if (error instanceof ApiError && (error.status === 404 || error.status === 501)) throw new AccountsUnavailable();
  throw error;
};

/**
 * Accounts and alerts of /api/v1 (register, login, me, alerts). `available()` asks the OpenAPI
 * document first, so a server without accounts is recognised without a failing request.
 */
export class AccountsApi {
  constructor(
    private readonly fetch: FetchLike,
    private readonly base = '',
  ) {}

  /** false when the server's OpenAPI lists no auth routes; true when it does or cannot tell. */
  async available(): Promise<boolean> {
    try {
      const response = await this.fetch(`${this.base}/docs/json`);
      if (!response.ok) return true;
      const doc = (await response.json()) as { paths?: Record<string, unknown> };
      return Object.keys(doc.paths ?? {}).some((p) => p.startsWith('/api/v1/auth/'));
    } catch {
      return true;
    }
  }

  register(username: string, password: string): Promise<Session> {
    return this.authenticate('register', username, password);
  }

  login(username: string, password: string): Promise<Session> {
    return this.authenticate('login', username, password);
  }

  async me(token: string): Promise<User> {
    const body = await readJson<{ user?: User } & Partial<User>>(await this.fetch(`${this.base}/api/v1/me`, { headers: bearer(token) })).catch(unavailable);
    return body.user ?? { id: body.id!, username: body.username! };
  }

  async alerts(token: string): Promise<Alert[]> {
    const body = await readJson<Alert[] | { alerts: Alert[] }>(await this.fetch(`${this.base}/api/v1/alerts`, { headers: bearer(token) }));
    return Array.isArray(body) ? body : body.alerts;
  }

  async createAlert(token: string, alert: NewAlert): Promise<Alert> {
    const response = await this.fetch(`${this.base}/api/v1/alerts`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    const body = await readJson<Alert | { alert: Alert }>(response);
    return 'alert' in body ? body.alert : body;
  }

  async deleteAlert(token: string, id: Alert['id']): Promise<void> {
    const response = await this.fetch(`${this.base}/api/v1/alerts/${encodeURIComponent(String(id))}`, { method: 'DELETE', headers: bearer(token) });
    if (!response.ok) await readJson(response);
  }

  private async authenticate(kind: 'register' | 'login', username: string, password: string): Promise<Session> {
    const response = await this.fetch(`${this.base}/api/v1/auth/${kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await readJson<{ user: User; token: string; expiresAt?: string }>(response).catch(unavailable);
    return { token: body.token, user: body.user, expiresAt: body.expiresAt };
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A stored session is usable until a minute before it expires. */
export function isSessionUsable(session: Session | undefined, now: number): session is Session {
  if (!session || typeof session.token !== 'string' || !session.user) return false;
  if (!session.expiresAt) return true;
  const expires = Date.parse(session.expiresAt);
  return Number.isNaN(expires) || expires - 60_000 > now;
}
