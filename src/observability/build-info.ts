import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
}

/**
 * The running build: the package version, and the commit from `TICKSTREAM_COMMIT` (set by the
 * container build, which has no git) or from git when running from a checkout; `unknown` otherwise.
 */
export function readBuildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { version: pkg.version, commit: process.env.TICKSTREAM_COMMIT || gitCommit() || 'unknown' };
}

function gitCommit(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
    });
    return out.toString().trim() || undefined;
  } catch {
    return undefined;
  }
}
