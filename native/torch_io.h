// TorchScript: LibTorch logic only (no Node-API). torch.save/load are in
// lib/torchfile.ts (PyTorch's zip format, read and written in TypeScript).
#pragma once
#include "pch.h"

#include <memory>
#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}

namespace nodetorch {


// A TorchScript module (scripted or traced in Python, or loaded here).
class ScriptModule {
 public:
  static std::shared_ptr<ScriptModule> load(const std::string& bytes);
  c10::IValue forward(std::vector<c10::IValue> inputs);
  std::vector<std::pair<std::string, at::Tensor>> namedParameters() const;
  std::vector<std::pair<std::string, at::Tensor>> namedBuffers() const;
  void train(bool on);
  // Sets training mode of the submodule at a dotted path ('' for the whole
  // module, 'layer1.0.bn1'); false when there is no such submodule.
  bool trainSubmodule(const std::string& path, bool on);
  bool isTraining() const;
  void to(const c10::Device& device);
  std::string save() const;  // the bytes of a TorchScript archive
  std::vector<std::string> methodNames() const;

 private:
  std::shared_ptr<torch::jit::Module> module_;
};

}  // namespace nodetorch
