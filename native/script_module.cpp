// Node-API side of TorchScript: generic (schema-less) JS -> IValue conversion
// for a scripted module's inputs, and the ScriptModule handle.
#include "binding.h"
#include "torch_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace nodetorch {

c10::IValue toGenericIValue(Napi::Env env, const Napi::Value& v, int depth) {
  if (depth > 64) throw Napi::RangeError::New(env, "value is nested too deeply (or refers to itself)");
  if (TensorHandle::Is(env, v)) return TensorHandle::TensorOf(env, v, "tensor");
  if (v.IsBigInt()) return bigintToInt64(env, v, "value");
  if (GeneratorHandle::Is(env, v)) return GeneratorHandle::GeneratorOf(env, v);
  if (v.IsNull() || v.IsUndefined()) return c10::IValue();
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsNumber()) {
    const double d = v.As<Napi::Number>().DoubleValue();
    int64_t x;
    if (exactInt64(d, &x)) return x;
    return d;
  }
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (v.IsArray()) {
    auto arr = v.As<Napi::Array>();
    c10::impl::GenericList list(c10::AnyType::get());
    for (uint32_t i = 0; i < arr.Length(); ++i) list.push_back(toGenericIValue(env, arr.Get(i), depth + 1));
    return list;
  }
  if (v.IsObject() && !v.IsFunction()) {
    auto obj = v.As<Napi::Object>();
    auto keys = obj.GetPropertyNames();
    // Integer keys (an optimizer's per-parameter state) stay integers, as Python has them.
    bool intKeys = keys.Length() > 0;
    for (uint32_t i = 0; i < keys.Length() && intKeys; ++i) {
      auto k = keys.Get(i).ToString().Utf8Value();
      intKeys = !k.empty() && k.size() < 16 && std::all_of(k.begin(), k.end(), ::isdigit) && (k == "0" || k[0] != '0');
    }
    c10::TypePtr keyType = intKeys ? c10::TypePtr(c10::IntType::get()) : c10::TypePtr(c10::StringType::get());
    c10::impl::GenericDict dict(keyType, c10::AnyType::get());
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      auto k = keys.Get(i).ToString().Utf8Value();
      c10::IValue key = intKeys ? c10::IValue(static_cast<int64_t>(std::stoll(k))) : c10::IValue(k);
      dict.insert(key, toGenericIValue(env, obj.Get(keys.Get(i)), depth + 1));
    }
    return dict;
  }
  throw Napi::TypeError::New(env, "cannot save a value of type " + std::string(v.IsFunction() ? "function" : "symbol"));
}

// ---------------------------------------------------------------- ScriptModule

Napi::Function ScriptModuleHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "ScriptModuleHandle",
                           {
                               Method<&ScriptModuleHandle::Forward>("forward"),
                               Method<&ScriptModuleHandle::NamedParameters>("namedParameters"),
                               Method<&ScriptModuleHandle::NamedBuffers>("namedBuffers"),
                               Method<&ScriptModuleHandle::Train>("train"),
                               Method<&ScriptModuleHandle::SetModuleTraining>("setModuleTraining"),
                               Method<&ScriptModuleHandle::To>("to"),
                               Method<&ScriptModuleHandle::Save>("save"),
                               Method<&ScriptModuleHandle::Dispose>("dispose"),
                               Getter<&ScriptModuleHandle::GetTraining>("training"),
                               Getter<&ScriptModuleHandle::GetMethods>("methods"),
                               Getter<&ScriptModuleHandle::GetDisposed>("disposed"),
                           });
}

ScriptModuleHandle::ScriptModuleHandle(const Napi::CallbackInfo& info) {
  // Only JitLoad makes one: it leaves the module in the environment's data for
  // the constructor to take (an argument could be forged: tensor handles are externals too).
  auto* data = info.Env().GetInstanceData<InstanceData>();
  if (info.Length() != 0 || !data->loadedModule)
    throw Napi::TypeError::New(info.Env(), "ScriptModuleHandle is made by torch.jit.load");
  module_ = std::move(data->loadedModule);
  Account(info.Env());
}

void ScriptModuleHandle::Account(Napi::BasicEnv env) {
  auto& memory = env.GetInstanceData<InstanceData>()->memory;
  for (auto&& named : {module_->namedParameters(), module_->namedBuffers()})
    for (const auto& [name, t] : named) {
      holds_.emplace_back();
      memory.hold(env, t, &holds_.back());
    }
}

void ScriptModuleHandle::Release(Napi::BasicEnv env) {
  if (auto* data = env.GetInstanceData<InstanceData>())
    for (auto& h : holds_) data->memory.release(env, &h);
  holds_.clear();
}

void ScriptModuleHandle::Finalize(Napi::BasicEnv env) {
  Release(env);
  module_.reset();
}

ScriptModule& ScriptModuleHandle::Module() {
  TORCH_CHECK(module_, "this ScriptModule was used after dispose()");
  return *module_;
}

static Napi::Value namedTensors(Napi::Env env, const std::vector<std::pair<std::string, at::Tensor>>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, list[i].first));
    pair.Set(1u, TensorHandle::Wrap(env, list[i].second));
    out.Set(i, pair);
  }
  return out;
}

Napi::Value ScriptModuleHandle::Forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "forward(inputs: array)");
  auto arr = info[0].As<Napi::Array>();
  std::vector<c10::IValue> inputs;
  for (uint32_t i = 0; i < arr.Length(); ++i) inputs.push_back(toGenericIValue(env, arr.Get(i), 0));
  return fromIValue(env, Module().forward(std::move(inputs)));
}

Napi::Value ScriptModuleHandle::NamedParameters(const Napi::CallbackInfo& info) {
  return namedTensors(info.Env(), Module().namedParameters());
}

Napi::Value ScriptModuleHandle::NamedBuffers(const Napi::CallbackInfo& info) {
  return namedTensors(info.Env(), Module().namedBuffers());
}

Napi::Value ScriptModuleHandle::Train(const Napi::CallbackInfo& info) {
  bool on = info.Length() < 1 || !info[0].IsBoolean() || info[0].As<Napi::Boolean>().Value();
  Module().train(on);
  return info.Env().Undefined();
}

// setModuleTraining(path, on): train/eval of one submodule ('layer1.0.bn1').
Napi::Value ScriptModuleHandle::SetModuleTraining(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean())
    throw Napi::TypeError::New(env, "setModuleTraining(path: string, on: boolean)");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  if (!Module().trainSubmodule(path, info[1].As<Napi::Boolean>().Value()))
    throw Napi::RangeError::New(env, "the ScriptModule has no submodule '" + path + "'");
  return env.Undefined();
}

Napi::Value ScriptModuleHandle::To(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "to(device: string)");
  auto name = info[0].As<Napi::String>().Utf8Value();
  Module().to(parseDevice(name));
  Release(info.Env());  // the module now holds other tensors
  Account(info.Env());
  return info.Env().Undefined();
}

Napi::Value ScriptModuleHandle::Save(const Napi::CallbackInfo& info) {
  std::string bytes = Module().save();
  return Napi::Buffer<char>::Copy(info.Env(), bytes.data(), bytes.size());
}

Napi::Value ScriptModuleHandle::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  module_.reset();
  return info.Env().Undefined();
}

Napi::Value ScriptModuleHandle::GetTraining(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Module().isTraining());
}

Napi::Value ScriptModuleHandle::GetMethods(const Napi::CallbackInfo& info) {
  auto names = Module().methodNames();
  Napi::Array out = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) out.Set(i, Napi::String::New(info.Env(), names[i]));
  return out;
}

Napi::Value ScriptModuleHandle::GetDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !module_);
}

// ---------------------------------------------------------------- module functions

static std::vector<char> bytesArg(const Napi::CallbackInfo& info, const char* what) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), std::string(what) + "(bytes: Uint8Array)");
  auto ta = info[0].As<Napi::TypedArray>();
  const char* p = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return std::vector<char>(p, p + ta.ByteLength());
}

Napi::Value JitLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = bytesArg(info, "jitLoad");
  auto module = ScriptModule::load(std::string(bytes.begin(), bytes.end()));
  auto* data = env.GetInstanceData<InstanceData>();
  data->loadedModule = std::move(module);
  Napi::Value handle = data->scriptModuleClass.New({});
  data->loadedModule.reset();
  return handle;
}

}  // namespace nodetorch
