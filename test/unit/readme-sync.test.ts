import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTable } from '../../src/config/table.js';
import { ERROR_CODES } from '../../src/domain/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function block(name: string): string {
  const match = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme);
  if (!match) throw new Error(`README has no ${name} block`);
  return match[1]!;
}

describe('README stays true to the code', () => {
  it('the configuration table is the one generated from the schema (`tickstream config`)', () => {
    expect(block('config')).toBe(configTable());
  });

  it('the error table lists every code with its HTTP status, and no other', () => {
    const rows = block('errors')
      .split('\n')
      .slice(2)
      .map((line) => /^\| `([A-Z_]+)` \| (\d+) \|/.exec(line))
      .map((m) => [m![1], Number(m![2])]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status])));
  });
});
