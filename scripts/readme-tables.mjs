// Regenerates the README's configuration and error tables from the code (run: npm run readme).
// test/unit/readme-sync.test.ts fails when they drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from '../dist/config/table.js';
import { ERROR_CODES } from '../dist/domain/errors.js';

const path = new URL('../README.md', import.meta.url);
const errors = [
  '| Code | HTTP | Meaning |',
  '|---|---|---|',
  ...Object.entries(ERROR_CODES).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.text} |`),
].join('\n');

let readme = readFileSync(path, 'utf8');
for (const [name, table] of [['config', configTable()], ['errors', errors]]) {
  const block = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
  if (!block.test(readme)) throw new Error(`README.md has no ${name} block`);
  readme = readme.replace(block, (_m, open, close) => `${open}${table}${close}`);
}
writeFileSync(path, readme);
