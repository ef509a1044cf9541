import { appendFileSync } from 'node:fs';

/**
 * The reliability suite (test/chaos) runs small inside `npm test` and larger under `npm run chaos`
 * (CHAOS_SCALE=full), which also collects every scenario's figures in CHAOS_RESULTS (JSON lines)
 * for scripts/chaos.mjs to write up.
 */
export const fullScale = process.env.CHAOS_SCALE === 'full';

/** `small` inside `npm test`, `full` under `npm run chaos`. */
export function scaled(small: number, full: number): number {
  return fullScale ? full : small;
}

/** Prints a scenario's figures and, under `npm run chaos`, records them. */
export function recordFigures(scenario: string, figures: Record<string, number | string | boolean>): void {
  console.log(`chaos ${scenario}: ${JSON.stringify(figures)}`);
  const file = process.env.CHAOS_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ scenario, figures, at: new Date().toISOString() })}\n`);
}
