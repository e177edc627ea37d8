// Native memory as JavaScript sees it: what handles hold, and the policy for
// running out (see docs/architecture.md, "Memory").
import * as v8 from 'v8';
import * as vm from 'vm';
import { MemoryStats, native } from './native';

export type { MemoryStats };

/**
 * What the tensors, programs and TorchScript modules of this thread (main
 * thread or worker) hold, counted once per storage: views, `detach()`,
 * Parameters and `.grad` reads that share memory count it once.
 */
export function memoryStats(): MemoryStats {
  return native.memoryStats();
}

let gc: (() => void) | undefined;

/** A full, synchronous garbage collection: unreachable tensors' native memory is freed by the time it returns. */
export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') {
      gc = exposed;
    } else {
      // Node's documented way to reach V8's collector without --expose-gc at start-up.
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
  }
  gc();
}

function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && (e as { kind?: string }).kind === 'OutOfMemoryError';
}

/**
 * Runs `fn`; when LibTorch runs out of memory (CPU or CUDA), collects garbage —
 * tensors JavaScript no longer reaches are freed at once — returns the CUDA
 * allocator's cached blocks, and runs `fn` once more. Device memory is not
 * reported to V8 (it would make V8 collect for memory its heap does not have),
 * so this is what keeps a loop that drops CUDA tensors without dispose() from
 * running the GPU out of memory. `failed`: the error a first run already threw
 * (the hot path calls without this wrapper and comes here only on failure).
 */
export function retryOutOfMemory<T>(fn: () => T, failed?: unknown): T {
  if (failed === undefined) {
    try {
      return fn();
    } catch (e) {
      failed = e;
    }
  }
  if (!isOutOfMemory(failed)) throw failed;
  collectGarbage();
  native.cudaEmptyCache();
  return fn();
}
