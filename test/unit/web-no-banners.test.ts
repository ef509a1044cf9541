import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 11, step 6: a file that needs chapter banners or a table of contents is several files.
 * The dashboard's controller was split by slice of UI state (web/src/app/); this keeps web/src so.
 */
const ROOT = join(process.cwd(), 'web', 'src');
/** A comment line that is a rule (`// ------`, `/* ====`, `// ── Stream ──`) or a contents heading. */
const BANNER = /^\s*(\/\/|\/\*+|\*)\s*(.*?)([-=─━═#*~]{4,})/;
const CONTENTS = /^\s*(\/\/|\/\*+|\*)\s*(table of )?contents\b/i;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|tsx|css)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('web/src', () => {
  it('has no chapter banners and no table of contents in any file', () => {
    const found = files(ROOT).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${file.slice(ROOT.length + 1)}:${i + 1}`, line }))
        .filter(({ line }) => BANNER.test(line) || CONTENTS.test(line)),
    );
    expect(found).toEqual([]);
    expect(files(ROOT).length).toBeGreaterThan(20);
  });

  it('the rule sees a banner when there is one', () => {
    expect(['// ---- Stream ----', '/* ======== */', ' * ──────', '// Contents:'].every((l) => BANNER.test(l) || CONTENTS.test(l))).toBe(true);
    expect(['// a comment that says why', ' * - a list item', '/** Prices at 1s/1m/5m. */'].some((l) => BANNER.test(l) || CONTENTS.test(l))).toBe(false);
  });
});
