import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11, step 6: a file that needs chapter banners or a table of contents is several files.
 * The dashboard's controller (by slice of UI state), bench/run.mjs and the WebSocket session were
 * split; this keeps src/, web/src and bench/ so.
 */
const ROOTS = ['src', join('web', 'src'), 'bench'].map((dir) => join(process.cwd(), dir));
/** A comment line that is a rule (`// ------`, `/* ====`, `// ── Stream ──`) or a contents heading. */
const BANNER = /^\s*(\/\/|\/\*+|\*)\s*(.*?)([-=─━═#*~]{4,})/;
const CONTENTS = /^\s*(\/\/|\/\*+|\*)\s*(table of )?contents\b/i;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' || e.name === 'results' ? [] : files(join(dir, e.name))) : /\.(ts|tsx|css|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('src/, web/src and bench/', () => {
  it.each(ROOTS)('%s: no chapter banners and no table of contents in any file', (root) => {
    const found = files(root).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${file.slice(root.length + 1)}:${i + 1}`, line }))
        .filter(({ line }) => BANNER.test(line) || CONTENTS.test(line)),
    );
    expect(found).toEqual([]);
    expect(files(root).length).toBeGreaterThan(10);
  });

  it('the rule sees a banner when there is one', () => {
    expect(['// ---- Stream ----', '/* ======== */', ' * ──────', '// Contents:'].every((l) => BANNER.test(l) || CONTENTS.test(l))).toBe(true);
    expect(['// a comment that says why', ' * - a list item', '/** Prices at 1s/1m/5m. */'].some((l) => BANNER.test(l) || CONTENTS.test(l))).toBe(false);
  });
});
