// operatorSchemas(): every operator schema the dispatcher knows, as plain JS
// objects, for lib/ops_namespace.ts (torch.ops.<namespace>) and
// scripts/gen_ops.js (the generated methods). The dispatcher, not the JIT's
// operator registry, is the source: it is what native.op()/native.call() look
// operators up in, so every schema listed here can be called.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <unordered_map>

#include <torch/csrc/jit/runtime/operator.h>

#include "torch_core.h"

namespace nodetorch {
namespace {

const char* tagName(at::Tag t) {
  switch (t) {
    case at::Tag::core: return "core";
    case at::Tag::cudagraph_unsafe: return "cudagraph_unsafe";
    case at::Tag::data_dependent_output: return "data_dependent_output";
    case at::Tag::dynamic_output_shape: return "dynamic_output_shape";
    case at::Tag::flexible_layout: return "flexible_layout";
    case at::Tag::generated: return "generated";
    case at::Tag::inplace_view: return "inplace_view";
    case at::Tag::maybe_aliasing_or_mutating: return "maybe_aliasing_or_mutating";
    case at::Tag::needs_contiguous_strides: return "needs_contiguous_strides";
    case at::Tag::needs_exact_strides: return "needs_exact_strides";
    case at::Tag::needs_fixed_stride_order: return "needs_fixed_stride_order";
    case at::Tag::nondeterministic_bitwise: return "nondeterministic_bitwise";
    case at::Tag::nondeterministic_seeded: return "nondeterministic_seeded";
    case at::Tag::out_variant: return "out_variant";
    case at::Tag::pointwise: return "pointwise";
    case at::Tag::pt2_compliant_tag: return "pt2_compliant_tag";
    case at::Tag::reduction: return "reduction";
    case at::Tag::view_copy: return "view_copy";
  }
  return "unknown";
}

const char* layoutName(c10::Layout l) {
  switch (l) {
    case c10::kStrided: return "strided";
    case c10::kSparse: return "sparse_coo";
    default: return nullptr;
  }
}

const char* memoryFormatName(c10::MemoryFormat m) {
  switch (m) {
    case c10::MemoryFormat::Contiguous: return "contiguous_format";
    case c10::MemoryFormat::ChannelsLast: return "channels_last";
    case c10::MemoryFormat::ChannelsLast3d: return "channels_last_3d";
    case c10::MemoryFormat::Preserve: return "preserve_format";
    default: return nullptr;
  }
}

Napi::Value intValue(Napi::Env env, int64_t v) {
  if (v > kMaxSafeInteger || v < -kMaxSafeInteger) return Napi::BigInt::New(env, v);
  return Napi::Number::New(env, static_cast<double>(v));
}

// A default value as the JS value that, passed to native.call, means the same;
// the schema's text for it when there is none (a default a caller cannot write).
Napi::Value defaultValue(Napi::Env env, const c10::IValue& v, const c10::TypePtr& type, bool* exact) {
  using K = c10::TypeKind;
  *exact = true;
  c10::TypePtr t = type;
  if (t->kind() == K::OptionalType) t = t->castRaw<c10::OptionalType>()->getElementType();
  if (v.isNone()) return env.Null();
  if (v.isInt()) {
    if (t->kind() == K::ScalarTypeType) return Napi::String::New(env, dtypeName(static_cast<c10::ScalarType>(v.toInt())));
    if (t->kind() == K::LayoutType) {
      if (const char* n = layoutName(static_cast<c10::Layout>(v.toInt()))) return Napi::String::New(env, n);
    } else if (t->kind() == K::MemoryFormatType) {
      if (const char* n = memoryFormatName(static_cast<c10::MemoryFormat>(v.toInt()))) return Napi::String::New(env, n);
    } else {
      return intValue(env, v.toInt());
    }
  }
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isIntList()) {
    auto l = v.toIntVector();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) a.Set(static_cast<uint32_t>(i), intValue(env, l[i]));
    return a;
  }
  if (v.isDoubleList()) {
    auto l = v.toDoubleVector();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Number::New(env, l[i]));
    return a;
  }
  if (v.isBoolList()) {
    auto l = v.toBoolList();
    Napi::Array a = Napi::Array::New(env, l.size());
    for (size_t i = 0; i < l.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::Boolean::New(env, l.get(i)));
    return a;
  }
  if (v.isList() && v.toListRef().empty()) return Napi::Array::New(env, 0);
  if (v.isScalar()) {
    c10::Scalar s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return intValue(env, s.toLong());
    if (s.isFloatingPoint()) return Napi::Number::New(env, s.toDouble());
  }
  if (v.isDevice()) return Napi::String::New(env, v.toDevice().str());
  *exact = false;
  std::ostringstream s;
  s << v;
  return Napi::String::New(env, s.str());
}

Napi::Object argumentObject(Napi::Env env, const c10::Argument& a, bool input) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", a.name());
  o.Set("type", a.real_type()->str());
  if (a.N()) o.Set("N", static_cast<double>(*a.N()));
  if (input) {
    o.Set("hasDefault", a.default_value().has_value());
    if (a.default_value()) {
      bool exact = true;
      o.Set("default", defaultValue(env, *a.default_value(), a.real_type(), &exact));
      if (!exact) o.Set("defaultIsText", true);
    }
    o.Set("kwargOnly", a.kwarg_only());
    if (a.is_out()) o.Set("isOut", true);
  }
  if (const auto* alias = a.alias_info()) {
    std::ostringstream s;
    s << *alias;
    o.Set("alias", s.str());
    o.Set("isWrite", alias->isWrite());
  }
  return o;
}

}  // namespace

// operatorSchemas() -> [{ name, overloadName, arguments, returns, isMutable, isVararg, tags, schema }]
// sorted by name; the overloads of a name in the order Python's
// torch.ops.<ns>.<name> tries them (torch::jit::getAllSortedOperatorsFor: the
// registration order, which for aten is native_functions.yaml's).
Napi::Value OperatorSchemas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto& dispatcher = c10::Dispatcher::singleton();
  std::map<std::string, std::vector<std::string>> overloads;  // name -> overload names
  for (const auto& name : dispatcher.getAllOpNames()) overloads[name.name].push_back(name.overload_name);
  std::vector<c10::OperatorName> names;
  for (auto& [name, list] : overloads) {
    std::unordered_map<std::string, size_t> rank;
    if (name.find("::") != std::string::npos) {
      const auto& ops = torch::jit::getAllSortedOperatorsFor(c10::Symbol::fromQualString(name));
      for (size_t i = 0; i < ops.size(); ++i) rank.emplace(ops[i]->schema().overload_name(), i);
    }
    auto key = [&](const std::string& o) {
      auto it = rank.find(o);
      return it == rank.end() ? rank.size() + 1 : it->second;
    };
    std::sort(list.begin(), list.end(), [&](const std::string& a, const std::string& b) {
      const size_t ka = key(a), kb = key(b);
      return ka != kb ? ka < kb : a < b;
    });
    for (const auto& o : list) names.push_back({name, o});
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (const auto& name : names) {
    auto handle = dispatcher.findSchema(name);
    if (!handle) continue;  // an implementation registered without a schema
    const c10::FunctionSchema& schema = handle->schema();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", schema.name());
    o.Set("overloadName", schema.overload_name());
    Napi::Array args = Napi::Array::New(env, schema.arguments().size());
    for (size_t i = 0; i < schema.arguments().size(); ++i)
      args.Set(static_cast<uint32_t>(i), argumentObject(env, schema.arguments()[i], true));
    o.Set("arguments", args);
    Napi::Array rets = Napi::Array::New(env, schema.returns().size());
    for (size_t i = 0; i < schema.returns().size(); ++i)
      rets.Set(static_cast<uint32_t>(i), argumentObject(env, schema.returns()[i], false));
    o.Set("returns", rets);
    o.Set("isMutable", schema.is_mutable());
    o.Set("isVararg", schema.is_vararg());
    Napi::Array tags = Napi::Array::New(env);
    uint32_t t = 0;
    for (const auto& tag : handle->getTags()) tags.Set(t++, tagName(tag));
    o.Set("tags", tags);
    std::ostringstream s;
    s << schema;
    o.Set("schema", s.str());
    out.Set(n++, o);
  }
  return out;
}

}  // namespace nodetorch
