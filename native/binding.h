// Node-API marshalling: argument conversion, the Tensor handle class and error
// translation. All LibTorch work is delegated to torch_core.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "torch_core.h"

namespace nodetorch {

// Per-environment state (one per main thread / worker): nothing JS-related is
// static, so the addon loads in several worker threads at once.
struct InstanceData {
  Napi::FunctionReference tensorClass;
  Napi::FunctionReference errorClass;  // TorchError, handed over by lib/ once
  Napi::FunctionReference scriptModuleClass;
  Napi::FunctionReference programClass;
  Napi::FunctionReference generatorClass;
};

class ScriptModule;

// The native half of a tensor: owns one reference to an at::Tensor and reports
// its bytes to V8 so garbage collection sees native memory.
class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  static Napi::Value Wrap(Napi::Env env, at::Tensor t);
  static bool Is(Napi::Env env, const Napi::Value& v);
  // The tensor behind a JS handle; throws a JS TypeError naming `what` if it is not one, or is disposed.
  static const at::Tensor& TensorOf(Napi::Env env, const Napi::Value& v, const char* what);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  void Finalize(Napi::BasicEnv env) override;

  const at::Tensor& tensor() const { return tensor_; }

 private:
  void Release(Napi::BasicEnv env);

  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value GetDtype(const Napi::CallbackInfo& info);
  Napi::Value GetDevice(const Napi::CallbackInfo& info);
  Napi::Value GetRequiresGrad(const Napi::CallbackInfo& info);
  void SetRequiresGrad(const Napi::CallbackInfo& info, const Napi::Value& v);
  Napi::Value GetGrad(const Napi::CallbackInfo& info);
  void SetGrad(const Napi::CallbackInfo& info, const Napi::Value& v);
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

  at::Tensor tensor_;
  int64_t reportedBytes_ = 0;
  bool disposed_ = false;
};

// A TorchScript module's handle (torch.jit.load).
class ScriptModuleHandle : public Napi::ObjectWrap<ScriptModuleHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit ScriptModuleHandle(const Napi::CallbackInfo& info);

 private:
  Napi::Value Forward(const Napi::CallbackInfo& info);
  Napi::Value NamedParameters(const Napi::CallbackInfo& info);
  Napi::Value NamedBuffers(const Napi::CallbackInfo& info);
  Napi::Value Train(const Napi::CallbackInfo& info);
  Napi::Value To(const Napi::CallbackInfo& info);
  Napi::Value Save(const Napi::CallbackInfo& info);
  Napi::Value GetTraining(const Napi::CallbackInfo& info);
  Napi::Value GetMethods(const Napi::CallbackInfo& info);

  std::shared_ptr<ScriptModule> module_;
};

Napi::Value JitLoad(const Napi::CallbackInfo& info);

// A compiled Program (torch_core.h): a module tree's forward or a batch pipeline.
class ProgramHandle : public Napi::ObjectWrap<ProgramHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  static std::shared_ptr<const Program> ProgramOf(Napi::Env env, const Napi::Value& v);
  explicit ProgramHandle(const Napi::CallbackInfo& info);

 private:
  Napi::Value Run(const Napi::CallbackInfo& info);
  std::shared_ptr<const Program> program_;
};

// Runs a batch program over an epoch's index order on a native thread, a few batches ahead.
class PrefetchHandle : public Napi::ObjectWrap<PrefetchHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit PrefetchHandle(const Napi::CallbackInfo& info);
  ~PrefetchHandle() override;

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::vector<c10::IValue>> queue;
    std::exception_ptr error;
    bool done = false;
    bool stop = false;
    std::thread thread;
  };
  void Stop();
  Napi::Value Next(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  std::shared_ptr<State> state_;
};

// torch.Generator (CPU).
class GeneratorHandle : public Napi::ObjectWrap<GeneratorHandle> {
 public:
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

// Converts any JS value (tensors, numbers, strings, arrays, plain objects) to an IValue, without a schema.
c10::IValue toGenericIValue(Napi::Env env, const Napi::Value& v, int depth);

// Converts a JS value to the IValue an operator argument expects.
c10::IValue toIValue(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const c10::FunctionSchema& schema);
// The same, where undefined means the argument's default (an error when it has none).
c10::IValue toArgument(Napi::Env env, const Napi::Value& v, const c10::Argument& arg, const c10::FunctionSchema& schema);
// Converts an operator result back to JS (tensors become handles).
Napi::Value fromIValue(Napi::Env env, const c10::IValue& v);

// Runs `body`, turning any C++ exception into a JS exception (TorchError for
// LibTorch errors) so that no failure aborts the process.
template <typename F>
auto guarded(Napi::Env env, F&& body) -> decltype(body());
void throwTorchError(Napi::Env env, const std::string& message, const char* kind);

}  // namespace nodetorch

#include "binding-inl.h"
