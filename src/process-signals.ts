/**
 * Calls `handler` on SIGINT and SIGTERM until the returned function is called: how the terminal
 * commands (`tail`, `replay`) stop cleanly, behind their injectable `io` so tests can fake it.
 */
export function onStopSignal(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
