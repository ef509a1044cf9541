import type { Notice, UiStore } from './state.js';

const TOAST_MS = 8_000;

/** Notices (banners that stay until dismissed) and toasts (that go by themselves). */
export class Notices {
  private nextId = 1;
  private readonly groups = new Map<string, { symbols: Set<string>; id: number }>();

  constructor(private readonly ui: UiStore) {}

  notice(kind: Notice['kind'], text: string): void {
    const notices = this.ui.get().notices.filter((n) => n.text !== text);
    this.ui.set({ notices: [...notices, { id: this.nextId++, kind, text }].slice(-5) });
  }

  /** One notice per kind of event, naming every symbol it happened to (a restart hits them all). */
  groupNotice(key: string, symbol: string, render: (symbols: string) => string): void {
    const group = this.groups.get(key) ?? { symbols: new Set<string>(), id: 0 };
    this.groups.set(key, group);
    group.symbols.add(symbol);
    const others = this.ui.get().notices.filter((n) => n.id !== group.id);
    group.id = this.nextId++;
    this.ui.set({ notices: [...others, { id: group.id, kind: 'warning' as const, text: render([...group.symbols].sort().join(', ')) }].slice(-5) });
  }

  dismissNotice(id: number): void {
    for (const [key, group] of this.groups) if (group.id === id) this.groups.delete(key);
    this.ui.set({ notices: this.ui.get().notices.filter((n) => n.id !== id) });
  }

  toast(title: string, text: string): void {
    const id = this.nextId++;
    this.ui.set({ toasts: [...this.ui.get().toasts, { id, title, text }].slice(-4) });
    setTimeout(() => this.dismissToast(id), TOAST_MS);
  }

  dismissToast(id: number): void {
    this.ui.set({ toasts: this.ui.get().toasts.filter((t) => t.id !== id) });
  }
}
