import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type WebSocket as PageSocket } from 'playwright-core';

/** Debian's Chromium; never a browser downloaded by a tool. `CHROMIUM_PATH` overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions of every page, in order. */
  readonly errors: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile in a temporary folder, removed on close. */
export async function launchBrowser(options: { colorScheme?: 'dark' | 'light' } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = mkdtempSync(join(tmpdir(), 'tickstream-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
    colorScheme: options.colorScheme ?? 'dark',
  });
  // Fail with the locator's name well inside the test timeout.
  context.setDefaultTimeout(45_000);
  const errors: string[] = [];
  const watch = (page: Page): void => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  };
  // Every Content-Security-Policy violation of every page, recorded in the page before its own
  // scripts run (see cspViolations); the browser's console line about it lands in `errors` too.
  await context.addInitScript({
    content: `window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    context,
    errors,
    async newPage(viewport) {
      const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The `securitypolicyviolation` events the page has fired so far. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("window.__cspViolations ?? ['(no recorder: the init script did not run)']");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // From the top, so the sticky header is where a person sees it.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface Frame {
  readonly socket: number;
  readonly direction: 'sent' | 'received';
  readonly data: Record<string, unknown> | unknown[];
  readonly at: number;
}

/**
 * Records every WebSocket frame the page sends and receives, per socket (0, 1, … in opening order).
 * Batched tick frames are split so each tick is one entry.
 */
export function recordFrames(page: Page): { frames: Frame[]; sockets: PageSocket[] } {
  const frames: Frame[] = [];
  const sockets: PageSocket[] = [];
  page.on('websocket', (ws) => {
    const socket = sockets.push(ws) - 1;
    const add = (direction: Frame['direction'], payload: string | Buffer): void => {
      let data: unknown;
      try {
        data = JSON.parse(String(payload));
      } catch {
        return;
      }
      const at = Date.now();
      const message = data as { type?: string; data?: unknown[] };
      if (direction === 'received' && message.type === 'ticks' && Array.isArray(message.data)) {
        for (const tick of message.data) frames.push({ socket, direction, data: tick as Record<string, unknown>, at });
      } else frames.push({ socket, direction, data: data as Record<string, unknown>, at });
    };
    ws.on('framesent', (f) => add('sent', f.payload));
    ws.on('framereceived', (f) => add('received', f.payload));
  });
  return { frames, sockets };
}

export interface TickFrame {
  type: 'tick';
  symbol: string;
  price: number;
  seq: number;
  ts: number;
}

export function ticksIn(frames: readonly Frame[], symbol?: string, socket?: number): TickFrame[] {
  return frames
    .filter((f) => f.direction === 'received' && (socket === undefined || f.socket === socket))
    .map((f) => f.data as unknown as TickFrame)
    .filter((t) => t.type === 'tick' && (symbol === undefined || t.symbol === symbol));
}

export function sentMessages(frames: readonly Frame[], socket?: number): Record<string, unknown>[] {
  return frames.filter((f) => f.direction === 'sent' && (socket === undefined || f.socket === socket)).map((f) => f.data as Record<string, unknown>);
}
