// Node-API side of compiled programs (a module tree's forward, a batch
// pipeline), the background batch prefetcher that runs a program on a native
// thread, and torch.Generator.
#include "binding.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/core/GeneratorImpl.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

// From LibTorch's OpenMP runtime when it has one (weak: absent in a build without OpenMP).
extern "C" void omp_set_num_threads(int) __attribute__((weak));

namespace nodetorch {
namespace {

// A register reference in a program description: { $reg: n }.
bool refOf(const Napi::Value& v, int* reg) {
  if (!v.IsObject() || v.IsArray()) return false;
  auto o = v.As<Napi::Object>();
  if (!o.Has("$reg")) return false;
  *reg = o.Get("$reg").As<Napi::Number>().Int32Value();
  return true;
}

int regArg(Napi::Env env, const Napi::Value& v, int numRegs, const std::string& what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, what + " must be a register number");
  int r = v.As<Napi::Number>().Int32Value();
  if (r < 0 || r >= numRegs) throw Napi::RangeError::New(env, what + " refers to register " + std::to_string(r) + " of " + std::to_string(numRegs));
  return r;
}

// A list argument some of whose elements are registers: the constants are
// converted, the registers left as placeholders filled at run time.
c10::IValue listWithRefs(Napi::Env env, const Napi::Array& arr, const c10::Argument& formal, const c10::FunctionSchema& schema,
                         int argIndex, int numRegs, std::vector<ProgramRef>* refs) {
  auto type = formal.real_type();
  if (type->kind() == c10::TypeKind::OptionalType) type = type->castRaw<c10::OptionalType>()->getElementType();
  if (type->kind() != c10::TypeKind::ListType)
    throw Napi::TypeError::New(env, schema.name() + ": argument '" + formal.name() + "' is not a list");
  const auto elem = type->castRaw<c10::ListType>()->getElementType();
  const auto ek = elem->kind();
  const bool tensors = ek == c10::TypeKind::TensorType;
  const bool optTensors =
      ek == c10::TypeKind::OptionalType && elem->castRaw<c10::OptionalType>()->getElementType()->kind() == c10::TypeKind::TensorType;
  if (!tensors && !optTensors && ek != c10::TypeKind::IntType && ek != c10::TypeKind::SymIntType)
    throw Napi::TypeError::New(env, schema.name() + ": argument '" + formal.name() + "' cannot hold registers");
  // Constants are converted as the whole list would be, with a placeholder where a register goes.
  Napi::Array constants = Napi::Array::New(env, arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    int reg;
    Napi::Value x = arr.Get(i);
    if (refOf(x, &reg)) {
      regArg(env, Napi::Number::New(env, reg), numRegs, formal.name());
      refs->push_back({argIndex, static_cast<int>(i), reg});
      constants.Set(i, tensors ? Napi::Value(TensorHandle::Wrap(env, at::empty({0}))) : optTensors ? env.Null() : Napi::Number::New(env, 0));
    } else {
      constants.Set(i, x);
    }
  }
  return toIValue(env, constants, formal, schema);
}

bool hasRef(const Napi::Value& v) {
  if (!v.IsArray()) return false;
  auto arr = v.As<Napi::Array>();
  int reg;
  for (uint32_t i = 0; i < arr.Length(); ++i)
    if (refOf(arr.Get(i), &reg)) return true;
  return false;
}

// Program description (from lib/program.ts):
//   { numRegs, numInputs, results: [reg…], steps: [ { op, args: […], outs: [reg…], where }
//                                                 | { check: reg, dims: [n…], where } ] }
Program compileProgram(Napi::Env env, const Napi::Object& desc) {
  Program p;
  p.numRegs = desc.Get("numRegs").As<Napi::Number>().Int32Value();
  p.numInputs = desc.Get("numInputs").As<Napi::Number>().Int32Value();
  if (p.numRegs < p.numInputs || p.numInputs < 0) throw Napi::RangeError::New(env, "bad program: numRegs < numInputs");
  auto results = desc.Get("results").As<Napi::Array>();
  for (uint32_t i = 0; i < results.Length(); ++i) p.results.push_back(regArg(env, results.Get(i), p.numRegs, "result"));
  auto steps = desc.Get("steps").As<Napi::Array>();
  for (uint32_t s = 0; s < steps.Length(); ++s) {
    auto st = steps.Get(s).As<Napi::Object>();
    ProgramStep step;
    step.where = st.Get("where").ToString().Utf8Value();
    if (st.Has("check")) {
      step.refs.push_back({0, -1, regArg(env, st.Get("check"), p.numRegs, "check")});
      auto dims = st.Get("dims").As<Napi::Array>();
      for (uint32_t i = 0; i < dims.Length(); ++i) step.dims.push_back(dims.Get(i).As<Napi::Number>().Int64Value());
      p.steps.push_back(std::move(step));
      continue;
    }
    step.op = st.Get("op").As<Napi::Number>().Int64Value();
    const auto& schema = operatorSchema(step.op);
    if (schema.is_mutable() || operatorHasTag(step.op, at::Tag::nondeterministic_seeded)) p.repeatable = false;
    const auto& formals = schema.arguments();
    auto args = st.Get("args").As<Napi::Array>();
    if (args.Length() > formals.size())
      throw Napi::TypeError::New(env, schema.name() + " takes at most " + std::to_string(formals.size()) + " arguments");
    for (size_t i = 0; i < formals.size(); ++i) {
      Napi::Value v = i < args.Length() ? args.Get(static_cast<uint32_t>(i)) : env.Undefined();
      int reg;
      if (refOf(v, &reg)) {
        step.refs.push_back({static_cast<int>(i), -1, regArg(env, Napi::Number::New(env, reg), p.numRegs, formals[i].name())});
        step.args.emplace_back();
      } else if (hasRef(v)) {
        step.args.push_back(listWithRefs(env, v.As<Napi::Array>(), formals[i], schema, static_cast<int>(i), p.numRegs, &step.refs));
      } else {
        step.args.push_back(toArgument(env, v, formals[i], schema));
      }
    }
    auto outs = st.Get("outs").As<Napi::Array>();
    for (uint32_t i = 0; i < outs.Length(); ++i) step.outs.push_back(regArg(env, outs.Get(i), p.numRegs, "out"));
    p.steps.push_back(std::move(step));
  }
  return p;
}

std::vector<c10::IValue> inputsOf(Napi::Env env, const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, "inputs must be an array");
  auto arr = v.As<Napi::Array>();
  std::vector<c10::IValue> out;
  for (uint32_t i = 0; i < arr.Length(); ++i) out.push_back(toGenericIValue(env, arr.Get(i), 0));
  return out;
}

Napi::Value resultsToJs(Napi::Env env, const std::vector<c10::IValue>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(i, fromIValue(env, values[i]));
  return out;
}

}  // namespace

// ---------------------------------------------------------------- ProgramHandle

Napi::Function ProgramHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "ProgramHandle",
                           {Method<&ProgramHandle::Run>("run"), Method<&ProgramHandle::Dispose>("dispose"),
                            Getter<&ProgramHandle::GetRepeatable>("repeatable")});
}

ProgramHandle::ProgramHandle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "ProgramHandle(description)");
  program_ = std::make_shared<Program>(compileProgram(env, info[0].As<Napi::Object>()));
  auto& memory = env.GetInstanceData<InstanceData>()->memory;
  for (const at::Tensor& t : programTensors(*program_)) {
    holds_.emplace_back();
    memory.hold(env, t, &holds_.back());
  }
}

void ProgramHandle::Release(Napi::BasicEnv env) {
  if (auto* data = env.GetInstanceData<InstanceData>())
    for (auto& h : holds_) data->memory.release(env, &h);
  holds_.clear();
  program_.reset();
}

void ProgramHandle::Finalize(Napi::BasicEnv env) {
  Release(env);
}

std::shared_ptr<const Program> ProgramHandle::ProgramOf(Napi::Env env, const Napi::Value& v) {
  auto* h = Of(env, v, "program");
  if (!h->program_) throw Napi::Error::New(env, "program was used after dispose()");
  return h->program_;
}

// run(inputs) -> results: runs on this thread, in this thread's grad mode.
Napi::Value ProgramHandle::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!program_) throw Napi::Error::New(env, "program was used after dispose()");
  auto inputs = inputsOf(env, info[0]);
  return resultsToJs(env, runProgram(*program_, inputs));
}

Napi::Value ProgramHandle::GetRepeatable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), program_ && program_->repeatable);
}

Napi::Value ProgramHandle::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- stopped prefetch threads

namespace {
std::mutex gRetiredMutex;
std::vector<std::thread>& retiredThreads() {
  static auto* threads = new std::vector<std::thread>();  // process-wide: a thread may outlive its environment
  return *threads;
}
}  // namespace

void retireThread(std::thread t) {
  std::lock_guard<std::mutex> lock(gRetiredMutex);
  retiredThreads().push_back(std::move(t));
}

void reapStoppedThreads() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(gRetiredMutex);
    threads.swap(retiredThreads());
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();  // each was told to stop: it ends after its current batch at most
}

// ---------------------------------------------------------------- PrefetchHandle

Napi::Function PrefetchHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "PrefetchHandle", {Method<&PrefetchHandle::Next>("next"), Method<&PrefetchHandle::Close>("close")});
}

namespace {
int64_t intArg(Napi::Env env, const Napi::Value& v, const char* what) {
  int64_t x;
  if (!v.IsNumber() || !exactInt64(v.As<Napi::Number>().DoubleValue(), &x))
    throw Napi::TypeError::New(env, std::string("PrefetchHandle: ") + what + " must be an integer");
  return x;
}
}  // namespace

// new PrefetchHandle(program, constInputs, order, batchSize, numBatches, depth) (depth 0: no thread, see State):
// batch b is program(...constInputs, order[b*batchSize : (b+1)*batchSize]),
// made on a native thread, at most `depth` ahead of the consumer.
PrefetchHandle::PrefetchHandle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  reapStoppedThreads();
  if (info.Length() < 6) throw Napi::TypeError::New(env, "PrefetchHandle(program, inputs, order, batchSize, numBatches, depth)");
  auto program = ProgramHandle::ProgramOf(env, info[0]);
  auto inputs = inputsOf(env, info[1]);
  at::Tensor order = TensorHandle::TensorOf(env, info[2], "order");
  const int64_t batchSize = intArg(env, info[3], "batchSize");
  const int64_t numBatches = intArg(env, info[4], "numBatches");
  const int64_t depthArg = intArg(env, info[5], "depth");
  const size_t depth = static_cast<size_t>(std::max<int64_t>(1, depthArg));
  TORCH_CHECK_VALUE(order.dim() == 1 && !order.is_floating_point() && !order.is_complex() && order.layout() == c10::kStrided,
                    "PrefetchHandle: order must be a 1-D integer tensor, got a ", order.dim(), "-D ", dtypeName(order.scalar_type()),
                    " tensor");
  if (batchSize < 1 || numBatches < 0 || (numBatches > 0 && (numBatches - 1) * batchSize >= order.size(0)))
    throw Napi::RangeError::New(env, "PrefetchHandle: batches out of range of the order");
  state_ = std::make_shared<State>();
  auto st = state_;
  if (depthArg == 0) {
    // No thread: each batch is made when it is asked for, on the asking thread.
    st->numBatches = numBatches;
    st->makeBatch = [program, inputs, order, batchSize](int64_t b) {
      at::NoGradGuard noGrad;
      auto in = inputs;
      in.push_back(order.narrow(0, b * batchSize, std::min(batchSize, order.size(0) - b * batchSize)));
      return runProgram(*program, in);
    };
    return;
  }
  st->thread = std::thread([st, program, inputs, order, batchSize, numBatches, depth] {
    at::NoGradGuard noGrad;
    // One intra-op thread here: the training loop's thread keeps the intra-op pool, and two
    // pools of at::get_num_threads() each would oversubscribe the cores (measured in bench/data_epoch).
    // OpenMP's thread count is per calling thread, so this leaves the other threads alone.
    at::internal::lazy_init_num_threads();
    if (omp_set_num_threads) omp_set_num_threads(1);
    const int64_t n = order.size(0);
    for (int64_t b = 0; b < numBatches; ++b) {
      {
        std::unique_lock<std::mutex> lock(st->mutex);
        st->cv.wait(lock, [&] { return st->stop || st->queue.size() < depth; });
        if (st->stop) return;
      }
      std::vector<c10::IValue> batch;
      try {
        auto in = inputs;
        in.push_back(order.narrow(0, b * batchSize, std::min(batchSize, n - b * batchSize)));
        batch = runProgram(*program, in);
      } catch (...) {
        std::lock_guard<std::mutex> lock(st->mutex);
        st->error = std::current_exception();
        st->done = true;
        st->cv.notify_all();
        return;
      }
      std::lock_guard<std::mutex> lock(st->mutex);
      if (st->stop) return;
      st->queue.push_back(std::move(batch));
      st->cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(st->mutex);
    st->done = true;
    st->cv.notify_all();
  });
}

// Runs when the handle is collected: the thread is told to stop but not joined
// here (joining inside a garbage-collection pause would stall it for as long as
// a batch takes); reapStoppedThreads() joins it later.
PrefetchHandle::~PrefetchHandle() {
  Stop(false);
}

void PrefetchHandle::Stop(bool join) {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->queue.clear();
  }
  state_->cv.notify_all();
  if (state_->thread.joinable()) {
    if (join) state_->thread.join();
    else retireThread(std::move(state_->thread));
  }
  state_.reset();
}

std::shared_ptr<PrefetchHandle::State> PrefetchHandle::StateOf(Napi::Env env, const Napi::Value& v) {
  if (!hasTag(env, v, kKind)) throw Napi::TypeError::New(env, "expected a PrefetchHandle");
  void* p = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_unwrap(env, v, &p), nullptr);
  auto st = static_cast<PrefetchHandle*>(p)->state_;
  if (!st) throw Napi::Error::New(env, "this PrefetchHandle is closed");
  return st;
}

bool PrefetchHandle::Pop(State& st, std::vector<c10::IValue>* batch) {
  if (st.makeBatch) {
    if (st.stop || st.next >= st.numBatches) return false;
    *batch = st.makeBatch(st.next++);
    return true;
  }
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(st.mutex);
    st.cv.wait(lock, [&] { return !st.queue.empty() || st.done || st.stop; });
    if (!st.queue.empty()) {
      *batch = std::move(st.queue.front());
      st.queue.pop_front();
      st.cv.notify_all();
      return true;
    }
    error = st.error;
  }
  if (error) std::rethrow_exception(error);
  return false;
}

// next() -> the next batch's results, or null after the last. Blocks until the
// batch is ready (it usually already is).
Napi::Value PrefetchHandle::Next(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_) return env.Null();
  std::vector<c10::IValue> batch;
  bool got;
  try {
    got = Pop(*state_, &batch);
  } catch (...) {
    Stop(true);
    throw;
  }
  if (!got) {
    Stop(true);
    return env.Null();
  }
  return resultsToJs(env, batch);
}

Napi::Value PrefetchHandle::Close(const Napi::CallbackInfo& info) {
  Stop(true);
  reapStoppedThreads();
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- GeneratorHandle

Napi::Function GeneratorHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "GeneratorHandle",
                           {Method<&GeneratorHandle::ManualSeed>("manualSeed"), Method<&GeneratorHandle::Seed>("seed"),
                            Method<&GeneratorHandle::InitialSeed>("initialSeed"), Method<&GeneratorHandle::GetState>("getState"),
                            Method<&GeneratorHandle::SetState>("setState")});
}

// A CPU generator, seeded as torch.Generator() is until manualSeed().
GeneratorHandle::GeneratorHandle(const Napi::CallbackInfo& info) {
  generator_ = at::make_generator<at::CPUGeneratorImpl>(c10::default_rng_seed_val);
}

bool GeneratorHandle::Is(Napi::Env env, const Napi::Value& v) {
  return hasTag(env, v, HandleKind::Generator);
}

at::Generator GeneratorHandle::GeneratorOf(Napi::Env env, const Napi::Value& v) {
  return Of(env, v, "generator")->generator_;
}

// The generator's state is guarded by its own mutex (another thread, e.g. a
// prefetch thread, may be drawing from it). No JS value is made while it is held.

// manualSeed(seed: number | bigint)
Napi::Value GeneratorHandle::ManualSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t seed;
  if (info.Length() > 0 && info[0].IsBigInt()) {
    bool lossless;
    seed = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, "seed must fit in 64 bits, got " + info[0].ToString().Utf8Value() + "n");
  } else if (info.Length() > 0 && info[0].IsNumber()) {
    int64_t x;
    if (!exactInt64(info[0].As<Napi::Number>().DoubleValue(), &x) || x < 0)
      throw Napi::RangeError::New(env, "seed must be a non-negative integer, got " + info[0].ToString().Utf8Value());
    seed = static_cast<uint64_t>(x);
  } else {
    throw Napi::TypeError::New(env, "seed must be a number or bigint");
  }
  {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_current_seed(seed);
  }
  return info.This();
}

// seed(): reseeds from a non-deterministic source and returns the seed.
Napi::Value GeneratorHandle::Seed(const Napi::CallbackInfo& info) {
  const uint64_t s = c10::detail::getNonDeterministicRandom();
  {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_current_seed(s);
  }
  return Napi::BigInt::New(info.Env(), s);
}

Napi::Value GeneratorHandle::InitialSeed(const Napi::CallbackInfo& info) {
  uint64_t s;
  {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    s = generator_.current_seed();
  }
  return Napi::BigInt::New(info.Env(), s);
}

Napi::Value GeneratorHandle::GetState(const Napi::CallbackInfo& info) {
  at::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state = at::Tensor(generator_.get_state());
  }
  return TensorHandle::Wrap(info.Env(), state);
}

Napi::Value GeneratorHandle::SetState(const Napi::CallbackInfo& info) {
  const at::Tensor& state = TensorHandle::TensorOf(info.Env(), info[0], "state");
  {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state);
  }
  return info.This();
}

}  // namespace nodetorch
