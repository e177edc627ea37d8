// The two declarations of libFuzzer's FuzzerDefs.h that Jazzer.js's addon uses
// (Debian's libclang-rt ships the library but not this header).
#pragma once
#include <cstddef>
#include <cstdint>
namespace fuzzer {
typedef int (*UserCallback)(const uint8_t *Data, size_t Size);
int FuzzerDriver(int *argc, char ***argv, UserCallback Callback);
} // namespace fuzzer
