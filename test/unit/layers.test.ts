import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The same command `npm run deps` runs, on the same configuration: the test checks what `npm test`
// enforces, and that the rules fire on a tree that breaks them.
const repo = fileURLToPath(new URL('../..', import.meta.url));
const config = join(repo, '.dependency-cruiser.mjs');
const cli = join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

interface Run {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as `npm run deps` runs it (`extra` adds options); a non-zero exit is a result, not a failure. */
function depcruise(cwd: string, paths: readonly string[], extra: readonly string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...paths, '--config', config, ...extra], { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ exitCode: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr });
    });
  });
}

/** The JSON report's violations and how many modules the cruise reached. */
async function violations(cwd: string, paths: readonly string[]): Promise<{ readonly found: readonly Violation[]; readonly modules: number }> {
  const run = await depcruise(cwd, paths, ['--output-type', 'json']);
  try {
    const { summary } = JSON.parse(run.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
    return { found: summary.violations, modules: summary.totalCruised };
  } catch {
    throw new Error(`depcruise gave no JSON report (exit ${run.exitCode}): ${run.stderr}`);
  }
}

const described = (v: Violation): string => `${v.rule.name}: ${v.from} → ${v.to}`;

describe('layers (dependency-cruiser, .dependency-cruiser.mjs)', () => {
  it('the tree has no import cycle and no import across a layer boundary', async () => {
    const result = await violations(repo, ['src', 'web/src', 'bench', 'test', 'scripts']);
    expect(result.found.map(described)).toEqual([]);
    // Guards against a cruise that silently found nothing (a wrong path, an unparsed language).
    expect(result.modules).toBeGreaterThan(300);
  }, 120_000);

  describe('on a tree that breaks every rule', () => {
    let fixture: string;

    /** Each fixture file and what it imports; comments name the rule it breaks or keeps. */
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
      // A cycle inside one layer.
      'src/domain/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): number => b() + 1;\n",
      'src/domain/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
      // The domain reaching for an engine, and for the file system; node:crypto is allowed.
      'src/domain/price.ts': "import { store } from '../adapters/redis/store.js';\nexport const price = store;\n",
      'src/domain/clock.ts': "import { readFileSync } from 'node:fs';\nexport const clock = readFileSync;\n",
      'src/domain/hash.ts': "import { createHash } from 'node:crypto';\nexport const hash = createHash;\n",
      // A port speaks domain; a role uses ports, domain and observability, and not an adapter.
      'src/ports/store.ts': "import type { a } from '../domain/cycle-a.js';\nexport type Store = typeof a;\n",
      'src/observability/logger.ts': 'export const log = (): void => undefined;\n',
      'src/services/role.ts':
        "import type { Store } from '../ports/store.js';\nimport { log } from '../observability/logger.js';\nimport { store } from '../adapters/redis/store.js';\nexport const role: [Store | undefined, typeof log, typeof store] = [undefined, log, store];\n",
      // An adapter importing the server it is wired into.
      'src/adapters/redis/store.ts': "import { app } from '../../servers/http/app.js';\nexport const store = app;\n",
      'src/servers/http/app.ts': 'export const app = 1;\n',
      // The wire importing server code; the client leaving the protocol.
      'src/protocol/wire.ts': "import { app } from '../servers/http/app.js';\nexport const wire = app;\n",
      'src/client/client.ts': "import { wire } from '../protocol/wire.js';\nimport { log } from '../observability/logger.js';\nexport const client = [wire, log];\n",
      // The dashboard importing server code beside the protocol it may use.
      'web/src/main.ts': "import { wire } from '../../src/protocol/wire.js';\nimport { app } from '../../src/servers/http/app.js';\nexport const main = [wire, app];\n",
      // An import nobody can resolve must not pass unseen.
      'src/services/lost.ts': "import { gone } from '../domain/gone.js';\nexport const lost = gone;\n",
    };

    beforeAll(async () => {
      fixture = await mkdtemp(join(tmpdir(), 'tickstream-layers-'));
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(fixture, path)), { recursive: true });
        await writeFile(join(fixture, path), text);
      }
    });

    afterAll(async () => {
      if (fixture) await rm(fixture, { recursive: true, force: true });
    });

    it('reports each violation under its rule and lets the allowed imports through', async () => {
      const result = await violations(fixture, ['src', 'web/src']);
      expect([...new Set(result.found.map(described))].sort()).toEqual(
        [
          'adapters-not-servers: src/adapters/redis/store.ts → src/servers/http/app.ts',
          'client-on-protocol: src/client/client.ts → src/observability/logger.ts',
          'domain-built-ins: src/domain/clock.ts → fs',
          'domain-is-pure: src/domain/price.ts → src/adapters/redis/store.ts',
          // A cycle is reported once, on the edge that closes it.
          'no-circular: src/domain/cycle-a.ts → src/domain/cycle-b.ts',
          'protocol-is-the-wire: src/protocol/wire.ts → src/servers/http/app.ts',
          'resolvable: src/services/lost.ts → ../domain/gone.js',
          'services-use-ports: src/services/lost.ts → ../domain/gone.js',
          'services-use-ports: src/services/role.ts → src/adapters/redis/store.ts',
          'web-uses-protocol-and-client: web/src/main.ts → src/servers/http/app.ts',
        ].sort(),
      );
    }, 120_000);

    it('fails the command `npm test` runs, naming the rule', async () => {
      const run = await depcruise(fixture, ['src', 'web/src']);
      // The CLI exits with the number of errors; npm stops the `test` chain on a non-zero exit.
      expect(run.exitCode).toBeGreaterThan(0);
      expect(run.stdout).toContain('domain-is-pure: src/domain/price.ts → src/adapters/redis/store.ts');
    }, 120_000);
  });
});
