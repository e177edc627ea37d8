// Preloaded (node -r) into a training script by bench/memory.ts: appends the
// process's RSS to every line the script logs, so RSS is sampled per epoch.
const log = console.log.bind(console);
console.log = (...args: unknown[]) => log(...args, `[rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB]`);
