import { execFileSync } from 'node:child_process';

/**
 * End-to-end tests start the real CLI from dist/, and browser tests load the dashboard it serves
 * from web/dist: build both once before any test runs (the dashboard only when its sources changed).
 */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['web/scripts/ensure-built.mjs'], { stdio: 'inherit' });
}
