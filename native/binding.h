// Node-API marshalling: argument conversion, the Tensor handle class and error
// translation. All LibTorch work is delegated to torch_core.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <functional>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "torch_core.h"

namespace nodetorch {

// The native memory JS objects hold, counted per storage: views, detach(),
// Parameters and .grad reads that share a storage report its bytes once, when
// the first holder appears, and give them back when the last one goes. Host
// memory is reported to V8 (it drives garbage collection); device memory is
// only counted (see docs/architecture.md, "Memory"). One per environment, used
// on its JS thread only (finalizers included), so it takes no lock.
class MemoryAccount {
 public:
  // What one holder counted, to be handed back to release().
  struct Hold {
    std::optional<c10::weak_intrusive_ptr<c10::StorageImpl>> storage;  // pins the key's address while held
    int64_t ownBytes = 0;  // bytes of a storage-less tensor (sparse), counted per holder
    bool host = true;
  };
  void hold(Napi::BasicEnv env, const at::Tensor& t, Hold* h);
  void release(Napi::BasicEnv env, Hold* h);
  int64_t hostBytes() const { return hostBytes_; }
  int64_t deviceBytes() const { return deviceBytes_; }
  size_t storages() const { return entries_.size(); }

 private:
  struct Entry {
    int64_t holders = 0;
    int64_t bytes = 0;
    bool host = true;
  };
  void add(Napi::BasicEnv env, int64_t bytes, bool host);
  std::unordered_map<const c10::StorageImpl*, Entry> entries_;
  int64_t hostBytes_ = 0;
  int64_t deviceBytes_ = 0;
  static constexpr int64_t kReportStep = 256 * 1024;
  int64_t unreported_ = 0;  // host bytes not yet reported to V8
};

// Per-environment state (one per main thread / worker): nothing JS-related is
// static, so the addon loads in several worker threads at once.
struct InstanceData {
  Napi::ObjectReference failure;  // the value an entry returns when it failed (see enter())
  napi_ref pendingError = nullptr;  // the error it failed with, for takeError()
  Napi::FunctionReference errorClass;  // TorchError, handed over by lib/ once
  Napi::FunctionReference scriptModuleClass;
  Napi::FunctionReference programClass;
  Napi::FunctionReference generatorClass;
  MemoryAccount memory;
  std::shared_ptr<class ScriptModule> loadedModule;  // handed from JitLoad to the ScriptModuleHandle it makes
};

// Type tags: a JS object is taken for a native handle only if it carries the
// tag given at construction (napi_type_tag_object), never by its prototype.
enum class HandleKind { ScriptModule, Program, Prefetch, Generator, Engine };
void tagHandle(Napi::Env env, const Napi::Object& o, HandleKind kind);
bool hasTag(Napi::Env env, const Napi::Value& v, HandleKind kind);

// Runs `body`, turning any C++ exception into a JS exception (TorchError for
// LibTorch errors) so that no failure aborts the process.
template <typename F>
auto guarded(Napi::Env env, F&& body) -> decltype(body());
void throwTorchError(Napi::Env env, const std::string& message, const char* kind);

// Every entry point the addon exports goes through enter(): module functions
// (EntryFunction<F>), and the methods and accessors of handle classes
// (GuardedWrap<T>::Method/Getter/Accessor). It is the one place errors are
// translated, as PyTorch's HANDLE_TH_ERRORS is.
//
// An error is not thrown from native code: enter() keeps it and returns the
// environment's `failure` value, and lib/native.ts, which wraps every export,
// throws it from JavaScript. On Node 20, a garbage collection that starts while
// napi_throw makes the error's message runs the finalizers of dropped tensors
// inside it, and Node then takes the error in flight for a finalizer's and
// calls into JavaScript inside the collection: a fatal error. A throw from
// JavaScript does not do that.
napi_value failWith(Napi::Env env, const Napi::Error& e);
// Runs `body` as a JS callback inside guarded(). Nothing escapes into Node's C frames.
template <typename F>
napi_value enter(napi_env env, napi_callback_info cbinfo, F&& body) {
  try {
    Napi::CallbackInfo info(env, cbinfo);
    try {
      return guarded(info.Env(), [&]() -> napi_value { return body(info); });
    } catch (const Napi::Error& e) {
      return failWith(info.Env(), e);
    }
  } catch (...) {
    // Making the error failed (the environment is terminating): nothing more can be done.
  }
  return nullptr;
}
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
napi_value EntryCallback(napi_env env, napi_callback_info cbinfo) {
  return enter(env, cbinfo, [](const Napi::CallbackInfo& info) -> napi_value { return F(info); });
}
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Function EntryFunction(Napi::Env env, const char* name) {
  napi_value fn;
  NAPI_THROW_IF_FAILED(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, &EntryCallback<F>, nullptr, &fn), Napi::Function());
  return Napi::Function(env, fn);
}

// The base of every handle class: it defines the JS class and wraps instances
// itself rather than through Napi::ObjectWrap. ObjectWrap keeps a reference per
// instance and, in a finalizer that runs during garbage collection, can only
// schedule its deletion for the next turn of the event loop, so a synchronous
// training loop piled up one per tensor it dropped (about 220 bytes each, RSS
// growing by 10 MiB an epoch). Here napi_wrap owns its reference and deletes it
// with the object. Every constructor, method, getter and setter runs inside
// guarded(), after the receiver's type tag is checked.
template <typename T>
class GuardedWrap {
 public:
  using MethodFn = Napi::Value (T::*)(const Napi::CallbackInfo&);
  using SetterFn = void (T::*)(const Napi::CallbackInfo&, const Napi::Value&);
  using Descriptor = napi_property_descriptor;

  GuardedWrap() = default;
  GuardedWrap(const GuardedWrap&) = delete;
  GuardedWrap& operator=(const GuardedWrap&) = delete;
  virtual ~GuardedWrap() = default;
  // Called when the JS object is collected (during garbage collection: no JS may run).
  virtual void Finalize(Napi::BasicEnv) {}

  static Napi::Function MakeClass(Napi::Env env, const char* name, std::initializer_list<Descriptor> properties) {
    napi_value cls;
    NAPI_THROW_IF_FAILED(env, napi_define_class(env, name, NAPI_AUTO_LENGTH, &Construct, nullptr, properties.size(),
                                                properties.begin(), &cls),
                         Napi::Function());
    return Napi::Function(env, cls);
  }
  // Configurable, so that lib/native.ts can wrap each one once (guardBinding).
  template <MethodFn M>
  static Descriptor Method(const char* name, napi_property_attributes attributes = napi_default_method) {
    return {name, nullptr, &Call<M>, nullptr, nullptr, nullptr, attributes, nullptr};
  }
  template <MethodFn G>
  static Descriptor Getter(const char* name) {
    return {name, nullptr, nullptr, &Call<G>, nullptr, nullptr, napi_configurable, nullptr};
  }
  template <MethodFn G, SetterFn S>
  static Descriptor Accessor(const char* name) {
    return {name, nullptr, nullptr, &Call<G>, &Set<S>, nullptr, napi_configurable, nullptr};
  }
  // The handle behind `v`, checked by its type tag; throws a TypeError naming `what` otherwise.
  static T* Of(Napi::Env env, const Napi::Value& v, const char* what) {
    if (!hasTag(env, v, T::kKind)) throw Napi::TypeError::New(env, std::string(what) + " must be a " + T::kTypeName);
    void* p = nullptr;
    NAPI_THROW_IF_FAILED(env, napi_unwrap(env, v, &p), nullptr);
    if (!p) throw Napi::TypeError::New(env, std::string(what) + " is not an initialised " + T::kTypeName);
    return static_cast<T*>(p);
  }

 private:
  // Constructors throw (rather than return the failure value): `new` must not
  // give an object without a C++ instance. They fail only on bad input from
  // nodetorch's own code or while the environment terminates.
  template <typename F>
  static napi_value EnterConstructor(napi_env env, napi_callback_info cbinfo, F&& body) {
    try {
      Napi::CallbackInfo info(env, cbinfo);
      return guarded(info.Env(), [&]() -> napi_value { return body(info); });
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();
    } catch (...) {
    }
    return nullptr;
  }
  // `this` of a method call: a method taken from one class's prototype and
  // called on another object must not see the wrong C++ object.
  static T* Self(const Napi::CallbackInfo& info) {
    if (!hasTag(info.Env(), info.This(), T::kKind))
      throw Napi::TypeError::New(info.Env(), std::string("a ") + T::kTypeName + " method was called on another object");
    void* p = nullptr;
    NAPI_THROW_IF_FAILED(info.Env(), napi_unwrap(info.Env(), info.This(), &p), nullptr);
    return static_cast<T*>(p);
  }
  static napi_value Construct(napi_env env, napi_callback_info cbinfo) {
    return EnterConstructor(env, cbinfo, [](const Napi::CallbackInfo& info) -> napi_value {
      Napi::Env e = info.Env();
      if (!info.IsConstructCall()) throw Napi::TypeError::New(e, std::string(T::kTypeName) + " must be called with new");
      auto instance = std::make_unique<T>(info);
      NAPI_THROW_IF_FAILED(e, napi_wrap(e, info.This(), instance.get(), &Finalized, nullptr, nullptr), nullptr);
      instance.release();  // owned by the JS object from here on
      tagHandle(e, info.This().As<Napi::Object>(), T::kKind);
      return info.This();
    });
  }
  static void Finalized(node_api_basic_env env, void* data, void*) {
    T* instance = static_cast<T*>(data);
    instance->Finalize(Napi::BasicEnv(env));
    delete instance;
  }
  template <MethodFn M>
  static napi_value Call(napi_env env, napi_callback_info cbinfo) {
    return enter(env, cbinfo, [](const Napi::CallbackInfo& info) -> napi_value {
      return (Self(info)->*M)(info);
    });
  }
  template <SetterFn S>
  static napi_value Set(napi_env env, napi_callback_info cbinfo) {
    return enter(env, cbinfo, [](const Napi::CallbackInfo& info) -> napi_value {
      (Self(info)->*S)(info, info[0]);
      return nullptr;
    });
  }
};

class ScriptModule;

// The native half of a tensor: owns one reference to an at::Tensor and counts
// its storage in the environment's MemoryAccount. A tensor's JS handle is a
// Node-API external (not a class instance): making one, and reading the tensor
// back from it, involves no property lookups, which is most of what a small
// operator costs (docs/benchmarks.md, "Per-operator overhead"). An external is
// taken for a tensor only when its pointer is a live slot of the handle pool
// (tensor_handle.cpp), so an external made by other native code is refused,
// never dereferenced.
class TensorHandle {
 public:
  static constexpr const char* kTypeName = "Tensor";
  // The handle for `t` (null for an undefined tensor).
  static Napi::Value Wrap(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  // The handle behind `v`, or null when it is not a tensor handle of this environment.
  static TensorHandle* TryOf(Napi::Env env, const Napi::Value& v);
  // The handle behind `v`; throws a TypeError naming `what` if it is not one.
  static TensorHandle* Of(Napi::Env env, const Napi::Value& v, const char* what);
  // The tensor behind a JS handle; throws a JS TypeError naming `what` if it is not one, or is disposed.
  static const at::Tensor& TensorOf(Napi::Env env, const Napi::Value& v, const char* what);
  // The module functions that read and change a handle (tensorShape(h), ...).
  static void Export(Napi::Env env, Napi::Object exports);
  // This handle's tensor; an error naming `what` once disposed.
  const at::Tensor& TensorChecked(Napi::Env env, const char* what) const;
  bool IsDisposed() const { return disposed_; }
  // True while Model.fit's training thread owns the tensor (see native/engine.cpp): every use from
  // JavaScript is refused until it is unlocked (in a callback, or when the run ends).
  bool IsUnusable() const { return disposed_ || locked_; }

  TensorHandle(Napi::BasicEnv env, at::Tensor t);
  TensorHandle(const TensorHandle&) = delete;
  TensorHandle& operator=(const TensorHandle&) = delete;

  using Method = Napi::Value (TensorHandle::*)(const Napi::CallbackInfo& info);
  // A module function `name(handle, ...args)` calling M; M reads its own arguments from info[1] on.
  template <Method M>
  static napi_value Call(napi_env env, napi_callback_info cbinfo);

 private:
  static void Finalized(node_api_basic_env env, void* data, void*);
  void Release(Napi::BasicEnv env);
  const at::Tensor& Self(const Napi::CallbackInfo& info) const;

  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value GetDtype(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value GetGrad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value GetIsLeaf(const Napi::CallbackInfo& info);
  Napi::Value GetGradFn(const Napi::CallbackInfo& info);
  Napi::Value GetDisposed(const Napi::CallbackInfo& info);
  Napi::Value GetStrides(const Napi::CallbackInfo& info);
  Napi::Value GetIsContiguous(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value ToTypedArray(const Napi::CallbackInfo& info);
  Napi::Value Bytes(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value RetainGrad(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsSame(const Napi::CallbackInfo& info);
  Napi::Value SetData(const Napi::CallbackInfo& info);
  Napi::Value SetLockedFromJs(const Napi::CallbackInfo& info);

  at::Tensor tensor_;
  MemoryAccount::Hold hold_;
  bool disposed_ = false;
  bool locked_ = false;
};

template <TensorHandle::Method M>
napi_value TensorHandle::Call(napi_env env, napi_callback_info cbinfo) {
  return enter(env, cbinfo, [](const Napi::CallbackInfo& info) -> napi_value {
    return (Of(info.Env(), info[0], "tensor")->*M)(info);
  });
}

// A TorchScript module's handle (torch.jit.load).
class ScriptModuleHandle : public GuardedWrap<ScriptModuleHandle> {
 public:
  static constexpr const char* kTypeName = "ScriptModule";
  static constexpr HandleKind kKind = HandleKind::ScriptModule;
  static Napi::Function DefineClass(Napi::Env env);
  explicit ScriptModuleHandle(const Napi::CallbackInfo& info);
  void Finalize(Napi::BasicEnv env) override;

 private:
  ScriptModule& Module();
  void Account(Napi::BasicEnv env);  // counts what the module holds (parameters and buffers)
  void Release(Napi::BasicEnv env);
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value NamedParameters(const Napi::CallbackInfo& info);
  Napi::Value NamedBuffers(const Napi::CallbackInfo& info);
  Napi::Value Train(const Napi::CallbackInfo& info);
  Napi::Value SetModuleTraining(const Napi::CallbackInfo& info);
  Napi::Value To(const Napi::CallbackInfo& info);
  Napi::Value Save(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value GetTraining(const Napi::CallbackInfo& info);
  Napi::Value GetMethods(const Napi::CallbackInfo& info);
  Napi::Value GetDisposed(const Napi::CallbackInfo& info);

  std::shared_ptr<ScriptModule> module_;
  std::vector<MemoryAccount::Hold> holds_;
};

Napi::Value JitLoad(const Napi::CallbackInfo& info);

// A compiled Program (torch_core.h): a module tree's forward or a batch pipeline.
class ProgramHandle : public GuardedWrap<ProgramHandle> {
 public:
  static constexpr const char* kTypeName = "ProgramHandle";
  static constexpr HandleKind kKind = HandleKind::Program;
  static Napi::Function DefineClass(Napi::Env env);
  static std::shared_ptr<const Program> ProgramOf(Napi::Env env, const Napi::Value& v);
  explicit ProgramHandle(const Napi::CallbackInfo& info);
  void Finalize(Napi::BasicEnv env) override;

 private:
  void Release(Napi::BasicEnv env);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value GetRepeatable(const Napi::CallbackInfo& info);
  std::shared_ptr<const Program> program_;
  std::vector<MemoryAccount::Hold> holds_;  // the tensors among its constants
};

// Runs a batch program over an epoch's index order on a native thread, a few batches ahead.
class PrefetchHandle : public GuardedWrap<PrefetchHandle> {
 public:
  static constexpr const char* kTypeName = "PrefetchHandle";
  static constexpr HandleKind kKind = HandleKind::Prefetch;
  static Napi::Function DefineClass(Napi::Env env);
  explicit PrefetchHandle(const Napi::CallbackInfo& info);
  ~PrefetchHandle() override;

  struct State;
  // The batch queue behind a PrefetchHandle, for a consumer on another thread (the training engine).
  static std::shared_ptr<State> StateOf(Napi::Env env, const Napi::Value& v);
  // Takes the next batch (blocking); false after the last one or once stopped; rethrows the thread's error.
  static bool Pop(State& st, std::vector<c10::IValue>* batch);
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::vector<c10::IValue>> queue;
    std::exception_ptr error;
    bool done = false;
    bool stop = false;
    std::thread thread;
    // depth 0: no thread; Pop() makes the next batch on the consumer's thread.
    std::function<std::vector<c10::IValue>(int64_t)> makeBatch;
    int64_t next = 0, numBatches = 0;
  };

 private:
  // Stops the thread; joins it when `join`, else hands it to the reaper (a finalizer must not block).
  void Stop(bool join);
  Napi::Value Next(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  std::shared_ptr<State> state_;
};

// Threads of prefetchers stopped by a finalizer: joined later, outside garbage collection.
void reapStoppedThreads();
void retireThread(std::thread t);

// torch.Generator (CPU).
// A training, evaluation or prediction run of a compiled step on a native thread (native/engine.cpp).
class EngineHandle : public GuardedWrap<EngineHandle> {
 public:
  static constexpr const char* kTypeName = "EngineHandle";
  static constexpr HandleKind kKind = HandleKind::Engine;
  static Napi::Function DefineClass(Napi::Env env);
  explicit EngineHandle(const Napi::CallbackInfo& info);
  ~EngineHandle() override;
  struct Impl;

 private:
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value SetLearningRates(const Napi::CallbackInfo& info);
  Napi::Value ParamState(const Napi::CallbackInfo& info);
  std::shared_ptr<Impl> impl_;
  // The run's thread: held here, not in Impl, which the thread itself shares (the last owner of a
  // joinable std::thread must not be that thread).
  std::thread thread_;
  // When the environment ends (a worker terminated mid-fit), the run is stopped and its thread joined
  // before the thread-safe function it calls is torn down: a cleanup hook registered after each run's
  // thread-safe function (hooks run last-registered first).
  static void OnTeardown(void* self);
  napi_env env_ = nullptr;
  bool hooked_ = false;
};

class GeneratorHandle : public GuardedWrap<GeneratorHandle> {
 public:
  static constexpr const char* kTypeName = "torch.Generator";
  static constexpr HandleKind kKind = HandleKind::Generator;
  static Napi::Function DefineClass(Napi::Env env);
  static bool Is(Napi::Env env, const Napi::Value& v);
  static at::Generator GeneratorOf(Napi::Env env, const Napi::Value& v);
  explicit GeneratorHandle(const Napi::CallbackInfo& info);

 private:
  Napi::Value ManualSeed(const Napi::CallbackInfo& info);
  Napi::Value Seed(const Napi::CallbackInfo& info);
  Napi::Value InitialSeed(const Napi::CallbackInfo& info);
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  at::Generator generator_;
};

// The unboxed fast path of operator `id` for these arguments (info[0] is the
// id), or nothing when it has none for them (native/fast_ops.cpp).
std::optional<Napi::Value> fastCall(int64_t id, const Napi::CallbackInfo& info);

// Converts any JS value (tensors, numbers, strings, arrays, plain objects) to an IValue, without a schema.
c10::IValue toGenericIValue(Napi::Env env, const Napi::Value& v, int depth);

// Converts a JS value to the IValue an operator argument expects.
c10::IValue toIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const c10::FunctionSchema& schema);
// The same, where undefined means the argument's default (an error when it has none).
c10::IValue toArgument(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const c10::FunctionSchema& schema);
// Converts an operator result back to JS (tensors become handles; an int beyond 2^53 becomes a bigint).
Napi::Value fromIValue(Napi::Env env, const c10::IValue& v);
// JS numbers and bigints as exact int64s: false / a RangeError where that would not be exact.
bool exactInt64(double d, int64_t* out);
int64_t bigintToInt64(Napi::Env env, const Napi::Value& v, const std::string& what);

}  // namespace nodetorch

#include "binding-inl.h"
