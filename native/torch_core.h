// LibTorch logic used by the binding. Knows nothing of Node-API: everything
// here takes and returns C++ / LibTorch types, and reports failure by throwing
// (c10::Error or std::exception), which the marshalling layer translates.
#pragma once
#include "pch.h"

#include <cstdint>
#include <string>
#include <vector>

namespace nodetorch {

// dtypes, by the names the TypeScript API uses ("float32", "int64", ...).
c10::ScalarType parseDtype(const std::string& name);
const char* dtypeName(c10::ScalarType t);
c10::Layout parseLayout(const std::string& name);
c10::MemoryFormat parseMemoryFormat(const std::string& name);
c10::Device parseDevice(const std::string& name);
std::string deviceName(const c10::Device& d);

// Operators are looked up once by schema name ("aten::add", overload "Tensor")
// and then called through the dispatcher, so autograd, type promotion and
// device dispatch are exactly PyTorch's.
int64_t findOperator(const std::string& name, const std::string& overload);
const c10::FunctionSchema& operatorSchema(int64_t id);
void callOperator(int64_t id, torch::jit::Stack& stack);
bool operatorHasTag(int64_t id, at::Tag tag);

// A new tensor holding a copy of `bytes` (row-major, `dtype` elements).
at::Tensor tensorFromBytes(const void* bytes, size_t byteLength, const std::vector<int64_t>& shape, c10::ScalarType dtype);
// A contiguous CPU copy in a dtype that has a JavaScript typed array
// (float16/bfloat16 become float32, bool becomes uint8).
at::Tensor hostCopyForExport(const at::Tensor& t);
// A contiguous CPU copy in the tensor's own dtype, detached (its raw bytes).
at::Tensor hostContiguous(const at::Tensor& t);

// Number.MAX_SAFE_INTEGER: integers up to it are exact JavaScript numbers.
constexpr int64_t kMaxSafeInteger = 9007199254740991LL;

// The memory a tensor keeps alive: its storage (shared by views, detach() and
// the like, so it is counted once per storage), or, for layouts without one
// (sparse), its own bytes. Meta tensors hold nothing.
struct TensorMemory {
  c10::intrusive_ptr<c10::StorageImpl> storage;  // null when there is no storage to count
  int64_t bytes = 0;                             // the storage's bytes, or the tensor's own
  bool host = true;                              // CPU memory (false: a device's)
};
TensorMemory tensorMemory(const at::Tensor& t);

// Frees the cached blocks of the CUDA caching allocator (no-op without CUDA).
void cudaEmptyCache();

// Replaces LibTorch's CPU allocator with one that keeps RSS flat in Node (see
// torch_core.cpp); once per process. NODETORCH_CPU_ALLOCATOR=default opts out.
void installCpuAllocator();

// A straight-line program of operator calls over numbered registers: the
// compiled form of a module tree's forward or of a batch pipeline (see
// docs/architecture.md). Registers 0..numInputs-1 hold the inputs.
struct ProgramRef {
  int arg;      // argument position
  int element;  // element of a list argument, or -1 for the whole argument
  int reg;      // register read
};
struct ProgramStep {
  int64_t op = -1;                // operator id; -1 for a check of the number of dimensions
  std::vector<c10::IValue> args;  // every argument, with placeholders where refs go
  std::vector<ProgramRef> refs;
  std::vector<int> outs;          // registers receiving the outputs, in order
  std::vector<int64_t> dims;      // for a check: the accepted numbers of dimensions
  std::string where;              // the layer or transform, for error messages
};
struct Program {
  int numRegs = 0;
  int numInputs = 0;
  std::vector<ProgramStep> steps;
  std::vector<int> results;  // registers returned
  // No step mutates an input in place or draws random numbers: running it again
  // after a failure (out of memory) gives what one run would have.
  bool repeatable = true;
};
std::vector<c10::IValue> runProgram(const Program& p, const std::vector<c10::IValue>& inputs);
// The tensors a program holds among its constants (weights and the like).
std::vector<at::Tensor> programTensors(const Program& p);

void backward(const at::Tensor& t, const at::Tensor& gradient, bool hasRetain, bool retainGraph, bool createGraph);

struct CudaStatus {
  bool libraryPresent = false;  // libtorch_cuda.so is next to libtorch_cpu.so
  bool libraryLoaded = false;   // and it loaded
  std::string loadError;        // why not, when it did not
};
// Opens libtorch_cuda next to libtorch_cpu when it is there (once per process).
const CudaStatus& loadCuda();
std::string libtorchDir();
bool cudaAvailable();
int64_t cudaDeviceCount();
bool cudnnAvailable();

}  // namespace nodetorch
