#include "torch_io.h"

#include <sstream>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

namespace nodetorch {

std::shared_ptr<ScriptModule> ScriptModule::load(const std::string& bytes) {
  std::istringstream in(bytes);
  auto m = std::make_shared<ScriptModule>();
  m->module_ = std::make_shared<torch::jit::Module>(torch::jit::load(in, c10::Device(c10::kCPU)));
  return m;
}

c10::IValue ScriptModule::forward(std::vector<c10::IValue> inputs) {
  return module_->forward(std::move(inputs));
}

std::vector<std::pair<std::string, at::Tensor>> ScriptModule::namedParameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : module_->named_parameters(/*recurse=*/true)) out.emplace_back(p.name, p.value);
  return out;
}

std::vector<std::pair<std::string, at::Tensor>> ScriptModule::namedBuffers() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& b : module_->named_buffers(/*recurse=*/true)) out.emplace_back(b.name, b.value);
  return out;
}

bool ScriptModule::trainSubmodule(const std::string& path, bool on) {
  if (path.empty()) {
    module_->train(on);
    return true;
  }
  for (const auto& named : module_->named_modules()) {
    if (named.name == path) {
      torch::jit::Module m = named.value;
      m.train(on);
      return true;
    }
  }
  return false;
}

void ScriptModule::train(bool on) {
  module_->train(on);
}

bool ScriptModule::isTraining() const {
  return module_->is_training();
}

void ScriptModule::to(const c10::Device& device) {
  module_->to(device);
}

std::string ScriptModule::save() const {
  std::ostringstream out;
  module_->save(out);
  return out.str();
}

std::vector<std::string> ScriptModule::methodNames() const {
  std::vector<std::string> names;
  for (const auto& m : module_->get_methods()) names.push_back(m.name());
  return names;
}

}  // namespace nodetorch
