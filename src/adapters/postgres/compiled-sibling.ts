/**
 * The URL of a compiled script next to the module at `moduleUrl`, for a worker thread or a child
 * process to run. Under vitest modules run from src/*.ts, which Node 20 cannot start as a thread
 * or process, so the copy in dist/ is used (the tests' global setup builds dist/ first).
 */
export function compiledSibling(file: string, moduleUrl: string): URL {
  if (!moduleUrl.endsWith('.ts')) return new URL(`./${file}`, moduleUrl);
  const fromSrc = new URL(`./${file}`, moduleUrl).href.replace(/\/src\/(?!.*\/src\/)/, '/dist/');
  return new URL(fromSrc);
}
