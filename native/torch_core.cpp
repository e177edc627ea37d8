#include "torch_core.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include <ATen/Context.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/CachingDeviceAllocator.h>

#include <cstdlib>
#include <ATen/detail/CUDAHooksInterface.h>

namespace nodetorch {

namespace {
struct DtypeEntry {
  const char* name;
  c10::ScalarType type;
};
// The first name of each type is the canonical one reported back.
const DtypeEntry kDtypes[] = {
    {"float32", c10::kFloat},    {"float64", c10::kDouble}, {"float16", c10::kHalf},  {"bfloat16", c10::kBFloat16},
    {"int64", c10::kLong},       {"int32", c10::kInt},      {"int16", c10::kShort},   {"int8", c10::kChar},
    {"uint8", c10::kByte},       {"bool", c10::kBool},      {"float", c10::kFloat},   {"double", c10::kDouble},
    {"half", c10::kHalf},        {"long", c10::kLong},      {"int", c10::kInt},       {"short", c10::kShort},
    {"complex64", c10::kComplexFloat}, {"complex128", c10::kComplexDouble},
};
}  // namespace

c10::ScalarType parseDtype(const std::string& name) {
  for (const auto& e : kDtypes)
    if (name == e.name) return e.type;
  TORCH_CHECK_VALUE(false, "unknown dtype '", name, "'");
}

const char* dtypeName(c10::ScalarType t) {
  for (const auto& e : kDtypes)
    if (e.type == t) return e.name;
  return c10::toString(t);
}

c10::Layout parseLayout(const std::string& name) {
  if (name == "strided") return c10::kStrided;
  if (name == "sparse_coo") return c10::kSparse;
  TORCH_CHECK_VALUE(false, "unknown layout '", name, "'");
}

c10::MemoryFormat parseMemoryFormat(const std::string& name) {
  if (name == "contiguous_format" || name == "contiguous") return c10::MemoryFormat::Contiguous;
  if (name == "channels_last") return c10::MemoryFormat::ChannelsLast;
  if (name == "channels_last_3d") return c10::MemoryFormat::ChannelsLast3d;
  if (name == "preserve_format" || name == "preserve") return c10::MemoryFormat::Preserve;
  TORCH_CHECK_VALUE(false, "unknown memory format '", name, "'");
}

c10::Device parseDevice(const std::string& name) {
  c10::Device d(name);  // throws c10::Error on a malformed string
  if (d.is_cuda()) {
    loadCuda();
    TORCH_CHECK(cudaAvailable(), "device '", name,
                "' was asked for, but CUDA is not available (torch.cuda.isAvailable() is false: ",
                loadCuda().libraryLoaded ? "no GPU or driver" : "this LibTorch has no loadable CUDA library", ")");
    if (d.has_index())
      TORCH_CHECK_INDEX(d.index() < cudaDeviceCount(), "device '", name, "' does not exist: ", cudaDeviceCount(),
                        " CUDA device(s)");
  }
  return d;
}

std::string deviceName(const c10::Device& d) {
  return d.str();
}

namespace {
// Operator handles are process-wide LibTorch objects (not JS state): the table
// maps small integers, handed to JS, to them. It only grows, in chunks that
// never move, so a handle is read without a lock from any thread (the JS
// thread, workers, prefetch threads) while another thread appends: an id is
// handed out only after its entry is written, and `gOpCount` publishes it.
constexpr int64_t kChunkBits = 10;
constexpr int64_t kChunkSize = int64_t{1} << kChunkBits;
constexpr int64_t kMaxChunks = 256;  // 262,144 operators; LibTorch has about 10,000 overloads
std::mutex gOpsMutex;  // serialises appends and the name index
std::atomic<std::optional<c10::OperatorHandle>*> gOpChunks[kMaxChunks];
std::atomic<int64_t> gOpCount{0};
std::unordered_map<std::string, int64_t>& opIndex() {
  static auto* index = new std::unordered_map<std::string, int64_t>();
  return *index;
}
}  // namespace

int64_t findOperator(const std::string& name, const std::string& overload) {
  std::lock_guard<std::mutex> lock(gOpsMutex);
  const std::string key = name + "." + overload;
  auto it = opIndex().find(key);
  if (it != opIndex().end()) return it->second;
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  TORCH_CHECK(handle.has_value(), "no operator ", name, overload.empty() ? "" : ".", overload, " in this LibTorch");
  const int64_t id = gOpCount.load(std::memory_order_relaxed);
  TORCH_CHECK(id < kMaxChunks * kChunkSize, "too many operators looked up");
  auto* chunk = gOpChunks[id >> kChunkBits].load(std::memory_order_relaxed);
  if (!chunk) {
    chunk = new std::optional<c10::OperatorHandle>[kChunkSize];  // never freed: ids stay valid for the process
    gOpChunks[id >> kChunkBits].store(chunk, std::memory_order_release);
  }
  chunk[id & (kChunkSize - 1)].emplace(*handle);
  gOpCount.store(id + 1, std::memory_order_release);
  opIndex().emplace(key, id);
  return id;
}

static const c10::OperatorHandle& handleFor(int64_t id) {
  TORCH_CHECK_INDEX(id >= 0 && id < gOpCount.load(std::memory_order_acquire), "bad operator id ", id);
  return *gOpChunks[id >> kChunkBits].load(std::memory_order_acquire)[id & (kChunkSize - 1)];
}

const c10::FunctionSchema& operatorSchema(int64_t id) {
  return handleFor(id).schema();
}

void callOperator(int64_t id, torch::jit::Stack& stack) {
  handleFor(id).callBoxed(stack);
}

bool operatorHasTag(int64_t id, at::Tag tag) {
  return handleFor(id).hasTag(tag);
}

namespace {
c10::IValue withElement(const c10::IValue& list, int element, const c10::IValue& v) {
  TORCH_CHECK(list.isList(), "a program can only fill elements of a list argument");
  auto l = list.toList().copy();  // the step's constant list stays untouched
  l.set(element, v);
  return l;
}
}  // namespace

std::vector<c10::IValue> runProgram(const Program& p, const std::vector<c10::IValue>& inputs) {
  TORCH_CHECK_VALUE(static_cast<int>(inputs.size()) == p.numInputs, "the program takes ", p.numInputs, " inputs, got ",
                    inputs.size());
  std::vector<c10::IValue> regs(p.numRegs);
  for (size_t i = 0; i < inputs.size(); ++i) regs[i] = inputs[i];
  for (const auto& step : p.steps) {
    if (step.op < 0) {
      const auto& v = regs[step.refs.at(0).reg];
      TORCH_CHECK_VALUE(v.isTensor(), step.where, ": expected a tensor, got ", v.tagKind());
      const int64_t d = v.toTensor().dim();
      TORCH_CHECK_VALUE(std::find(step.dims.begin(), step.dims.end(), d) != step.dims.end(), step.where, ", got ", d,
                        "D input of shape ", v.toTensor().sizes());
      continue;
    }
    torch::jit::Stack stack(step.args);
    for (const auto& r : step.refs) {
      if (r.element < 0) stack[r.arg] = regs[r.reg];
      else stack[r.arg] = withElement(stack[r.arg], r.element, regs[r.reg]);
    }
    try {
      callOperator(step.op, stack);
    } catch (c10::Error& e) {
      e.add_context("in " + step.where);
      throw;
    }
    for (size_t k = 0; k < step.outs.size() && k < stack.size(); ++k) regs[step.outs[k]] = std::move(stack[k]);
  }
  std::vector<c10::IValue> out;
  out.reserve(p.results.size());
  for (int r : p.results) out.push_back(regs[r]);
  return out;
}

at::Tensor tensorFromBytes(const void* bytes, size_t byteLength, const std::vector<int64_t>& shape,
                           c10::ScalarType dtype) {
  int64_t numel = 1;
  for (int64_t s : shape) {
    TORCH_CHECK_VALUE(s >= 0, "negative dimension ", s, " in shape ", c10::IntArrayRef(shape));
    TORCH_CHECK_VALUE(s == 0 || numel <= INT64_MAX / s, "shape ", c10::IntArrayRef(shape), " is too large");
    numel *= s;
  }
  const size_t itemsize = c10::elementSize(dtype);
  TORCH_CHECK_VALUE(static_cast<size_t>(numel) * itemsize == byteLength, "data has ", byteLength,
                    " bytes but shape ", c10::IntArrayRef(shape), " of ", dtypeName(dtype), " needs ",
                    static_cast<size_t>(numel) * itemsize);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  if (byteLength) std::memcpy(t.data_ptr(), bytes, byteLength);
  return t;
}

at::Tensor hostCopyForExport(const at::Tensor& t) {
  at::NoGradGuard noGrad;
  at::Tensor out = t.detach();
  if (out.scalar_type() == c10::kHalf || out.scalar_type() == c10::kBFloat16) out = out.to(c10::kFloat);
  if (out.scalar_type() == c10::kBool) out = out.to(c10::kByte);
  return out.to(c10::kCPU).contiguous();
}

at::Tensor hostContiguous(const at::Tensor& t) {
  at::NoGradGuard noGrad;
  return t.detach().to(c10::kCPU).contiguous();
}

TensorMemory tensorMemory(const at::Tensor& t) {
  TensorMemory m;
  if (!t.defined() || t.is_meta()) return m;
  m.host = t.is_cpu();
  try {
    if (t.is_sparse()) {
      m.bytes = tensorMemory(t._values()).bytes + tensorMemory(t._indices()).bytes;
    } else if (t.has_storage()) {
      const c10::Storage& s = t.storage();  // throws for layouts whose storage is not to be touched (nested)
      m.storage = c10::intrusive_ptr<c10::StorageImpl>::reclaim_copy(s.unsafeGetStorageImpl());
      m.bytes = static_cast<int64_t>(s.nbytes());
    }
  } catch (const std::exception&) {
    m = TensorMemory();
    m.host = t.is_cpu();
  }
  return m;
}

std::vector<at::Tensor> programTensors(const Program& p) {
  std::vector<at::Tensor> out;
  for (const auto& step : p.steps) {
    for (const auto& a : step.args) {
      if (a.isTensor()) out.push_back(a.toTensor());
      else if (a.isTensorList())
        for (const at::Tensor& t : a.toTensorVector()) out.push_back(t);
    }
  }
  return out;
}

void cudaEmptyCache() {
  if (!cudaAvailable()) return;
  c10::getDeviceAllocator(c10::kCUDA)->emptyCache();
}

namespace {
// LibTorch's default CPU allocator uses posix_memalign. In a Node process glibc
// soon raises its mmap threshold (Node frees large mmap-ed blocks), so tensors
// come from the heap, where aligned requests of a recurring size never fit the
// hole a freed one left (memalign asks for extra room): freed tensors are not
// reused and RSS grows without bound. Plain malloc of size + alignment, aligned
// by hand, asks for the same size each time and reuses freed blocks exactly.
// Fixing the mmap threshold instead costs a page-faulting mmap per tensor,
// which made an MNIST epoch 60% slower.
class AlignedMallocAllocator final : public c10::Allocator {
 public:
  static constexpr size_t kAlignment = 64;            // LibTorch's gAlignment
  static constexpr size_t kExtra = kAlignment + sizeof(void*);  // room to align and to remember malloc's pointer

  c10::DataPtr allocate(size_t n) override {
    if (n == 0) return {nullptr, nullptr, &release, c10::Device(c10::kCPU)};
    TORCH_CHECK_WITH(OutOfMemoryError, n <= SIZE_MAX - kExtra, "CPU allocator: can't allocate memory: ", n, " bytes");
    void* raw = std::malloc(n + kExtra);
    TORCH_CHECK_WITH(OutOfMemoryError, raw != nullptr, "CPU allocator: can't allocate memory: you tried to allocate ", n,
                     " bytes");
    const uintptr_t start = reinterpret_cast<uintptr_t>(raw) + sizeof(void*);
    auto* aligned = reinterpret_cast<void**>((start + kAlignment - 1) & ~(kAlignment - 1));
    aligned[-1] = raw;  // the block's own pointer, just before the data
    // data == context, as raw_allocate() requires (oneDNN uses it)
    return {aligned, aligned, &release, c10::Device(c10::kCPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override {
    return &release;
  }
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }

 private:
  static void release(void* aligned) {
    if (aligned) std::free(static_cast<void**>(aligned)[-1]);
  }
};
}  // namespace

void installCpuAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* choice = std::getenv("NODETORCH_CPU_ALLOCATOR");
    if (choice && std::string(choice) == "default") return;
    // No fastbins: a loop of small operators frees thousands of small blocks
    // per garbage collection, and glibc then spends a tenth of each operator
    // consolidating them when anything larger is asked for (perf, on
    // bench/op_overhead.ts). Freed blocks still go to the per-thread cache.
    mallopt(M_MXFAST, 0);
    // Blocks up to 32 MiB come from the arenas, and up to 64 MiB of free memory
    // stays in an arena instead of going back to the system at every free. Without
    // this, a thread other than the main one (Model.fit's training thread) gets an
    // arena whose heap is trimmed after every step, and every step faults its
    // activations' pages in again: 15-20% slower forward and backward than the
    // same step on the main thread (bench/event_loop.ts, NODETORCH_ENGINE_PROFILE=1).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    static auto* allocator = new AlignedMallocAllocator();  // lives as long as the process
    c10::SetCPUAllocator(allocator, /*priority=*/1);
  });
}

void backward(const at::Tensor& t, const at::Tensor& gradient, bool hasRetain, bool retainGraph, bool createGraph) {
  std::optional<bool> retain;
  if (hasRetain) retain = retainGraph;
  t.backward(gradient, retain, createGraph);
}

std::string libtorchDir() {
  Dl_info info;
  // Any function defined in libtorch_cpu tells where it was loaded from.
  if (dladdr(reinterpret_cast<void*>(&at::globalContext), &info) && info.dli_fname) {
    std::string path = info.dli_fname;
    if (char* real = realpath(path.c_str(), nullptr)) {
      path = real;
      free(real);
    }
    auto slash = path.rfind('/');
    if (slash != std::string::npos) return path.substr(0, slash);
  }
  return "";
}

const CudaStatus& loadCuda() {
  static CudaStatus status;
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string dir = libtorchDir();
    const std::string path = dir + "/libtorch_cuda.so";
    if (dir.empty() || access(path.c_str(), R_OK) != 0) {
      status.loadError = "libtorch_cuda.so is not in " + (dir.empty() ? std::string("the LibTorch folder") : dir);
      return;
    }
    status.libraryPresent = true;
    // Global, so that the CUDA kernels it registers are visible to the dispatcher.
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
      status.libraryLoaded = true;
    } else {
      const char* err = dlerror();
      status.loadError = err ? err : "dlopen failed";
    }
  });
  return status;
}

bool cudaAvailable() {
  loadCuda();
  return at::globalContext().hasCUDA();
}

int64_t cudaDeviceCount() {
  return cudaAvailable() ? at::detail::getCUDAHooks().getNumGPUs() : 0;
}

bool cudnnAvailable() {
  return cudaAvailable() && at::globalContext().hasCuDNN();
}

}  // namespace nodetorch
