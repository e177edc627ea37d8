// Serialization and TorchScript: LibTorch logic only (no Node-API).
#pragma once
#include "pch.h"

#include <memory>
#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}

namespace nodetorch {

// Bytes in the format of Python's torch.save (a zip holding data.pkl and the
// tensors' storages), readable by torch.load(path, weights_only=True).
std::vector<char> pickleSave(const c10::IValue& value);

// A TorchScript module (scripted or traced in Python, or loaded here).
class ScriptModule {
 public:
  static std::shared_ptr<ScriptModule> load(const std::string& bytes);
  c10::IValue forward(std::vector<c10::IValue> inputs);
  std::vector<std::pair<std::string, at::Tensor>> namedParameters() const;
  std::vector<std::pair<std::string, at::Tensor>> namedBuffers() const;
  void train(bool on);
  bool isTraining() const;
  void to(const c10::Device& device);
  std::string save() const;  // the bytes of a TorchScript archive
  std::vector<std::string> methodNames() const;

 private:
  std::shared_ptr<torch::jit::Module> module_;
};

}  // namespace nodetorch
