// Lets Jazzer.js's addon run on upstream libFuzzer (LLVM's compiler-rt, e.g.
// Debian's libclang-rt-14-dev) instead of Code Intelligence's fork of it:
// the fork adds three entry points, mapped here onto upstream's.
#include <cstdint>

namespace libfuzzer {
extern void (*PrintCrashingInput)();
}

extern "C" {
void __sanitizer_cov_trace_const_cmp8(uint64_t arg1, uint64_t arg2);
void __sanitizer_cov_trace_pc_indir(uintptr_t callee);

// Upstream libFuzzer hands its death callback (dump the input, print the
// stats) to a sanitizer through this; the fork calls __jazzer_set_death_callback.
void __sanitizer_set_death_callback(void (*callback)()) { libfuzzer::PrintCrashingInput = callback; }

// The fork's variants take the comparison's id as the PC. Upstream takes the
// caller's address instead: the compared values still reach libFuzzer's table
// of recent comparisons (what guides its mutations); only value profiling
// sees one site.
void __sanitizer_cov_trace_const_cmp8_with_pc(uintptr_t, uint64_t arg1, uint64_t arg2) {
  __sanitizer_cov_trace_const_cmp8(arg1, arg2);
}
void __sanitizer_cov_trace_pc_indir_with_pc(void *, uintptr_t callee) { __sanitizer_cov_trace_pc_indir(callee); }
}
