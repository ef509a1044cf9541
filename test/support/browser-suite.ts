import { afterAll, beforeAll, beforeEach } from 'vitest';
import { launchBrowser, type Browser } from './browser.js';
import { startServer, type RunningServer } from './server.js';

export interface BrowserSuite {
  /** The file's Chromium, launched before its first test. */
  browser: Browser;
  /** Servers started by `start`, newest last; all stopped when the file ends. */
  readonly servers: RunningServer[];
  start(env?: Record<string, string>): Promise<RunningServer>;
}

/**
 * A browser test file's shared parts: one Chromium for the file, each test judging only its own
 * page's console (a stopped server's refusals belong to the test that stopped it), and servers
 * started with `baseEnv` under the test's own settings, stopped at the end.
 */
export function browserSuite(baseEnv: Record<string, string> = {}): BrowserSuite {
  const servers: RunningServer[] = [];
  const suite: BrowserSuite = {
    browser: undefined as unknown as Browser,
    servers,
    async start(env = {}) {
      const server = await startServer({ ...baseEnv, ...env });
      servers.push(server);
      return server;
    },
  };
  beforeAll(async () => {
    suite.browser = await launchBrowser();
  });
  beforeEach(() => {
    suite.browser.errors.length = 0;
  });
  afterAll(async () => {
    await suite.browser?.close();
    for (const s of servers) await s.stop();
  });
  return suite;
}
