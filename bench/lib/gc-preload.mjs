// @ts-check
// Loaded with `node --expose-gc --import bench/lib/gc-preload.mjs …` for the memory benchmark:
// SIGUSR2 runs two full garbage collections, so RSS is read after the heap settled.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
