import { CONFIG_SCHEMA } from './schema.js';
import type { Field } from './schema-kit.js';

const show = (value: unknown): string => {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return String(value);
};

/** The README's configuration table, generated from the schema (a test keeps the README in step). */
export function configTable(): string {
  const rows = (Object.values(CONFIG_SCHEMA) as Field<unknown>[]).map(
    (f) => `| \`${f.env}\` | \`${show(f.default)}\` | ${f.allowed} | ${f.doc} |`,
  );
  return ['| Variable | Default | Allowed | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
