// The training engine behind Model.fit / evaluate / predict: a compiled step
// (forward and loss, recorded or traced in lib/model/trace.ts) run batch after
// batch on a native thread fed by a DataLoader's prefetch thread, with
// autograd's backward, gradient clipping, the optimizer's update (PyTorch's
// single-tensor rules for SGD, Adam, AdamW, RMSprop and Adagrad: the same
// operators in the same order as lib/optim.ts) and the metric counts, all without entering
// JavaScript. JavaScript hears about it through a thread-safe function: progress
// (non-blocking, coalesced), each batch's end when callbacks need it (the
// thread then waits for resume()), and the end of the run.
#include "binding.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace nodetorch {

namespace {

enum class OptKind { SGD, Adam, AdamW, RMSprop, Adagrad };

struct ParamSlot {
  at::Tensor param;
  // Optimizer state, shared with the JavaScript optimizer's (same tensors).
  at::Tensor momentumBuffer, expAvg, expAvgSq, maxExpAvgSq, squareAvg, gradAvg, sum, step;
};

struct Group {
  OptKind kind = OptKind::SGD;
  double lr = 0, momentum = 0, dampening = 0, weightDecay = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double alpha = 0.99, lrDecay = 0, initialAccumulatorValue = 0;
  bool nesterov = false, maximize = false, amsgrad = false, centered = false;
  std::vector<ParamSlot> params;
};

// The optimizer's step count, a float32 scalar tensor as PyTorch keeps it, advanced; returns the new count.
double nextStep(ParamSlot& s) {
  if (!s.step.defined()) s.step = at::zeros({}, at::TensorOptions().dtype(at::kFloat));
  s.step.add_(1);
  return s.step.item<float>();
}

// torch.optim.SGD's single-tensor rule (lib/optim.ts SGD.update).
void sgdStep(const Group& o, ParamSlot& s, const at::Tensor& grad) {
  at::Tensor d = o.maximize ? grad.neg() : grad;
  if (o.weightDecay != 0) d = d.add(s.param, o.weightDecay);
  if (o.momentum != 0) {
    if (!s.momentumBuffer.defined()) {
      s.momentumBuffer = d.clone().detach();
    } else {
      s.momentumBuffer.mul_(o.momentum).add_(d, 1 - o.dampening);
    }
    d = o.nesterov ? d.add(s.momentumBuffer, o.momentum) : s.momentumBuffer;
  }
  s.param.add_(d, -o.lr);
}

// torch.optim.Adam / AdamW's single-tensor rule (lib/optim.ts adamStep).
void adamStep(const Group& o, ParamSlot& s, const at::Tensor& grad) {
  const at::Tensor& p = s.param;
  at::Tensor g = o.maximize ? grad.neg() : grad;
  if (!s.expAvg.defined()) {
    s.expAvg = at::zeros_like(p);
    s.expAvgSq = at::zeros_like(p);
    if (o.amsgrad) s.maxExpAvgSq = at::zeros_like(p);
  }
  const double step = nextStep(s);
  if (o.weightDecay != 0) {
    if (o.kind == OptKind::AdamW) p.mul_(1 - o.lr * o.weightDecay);
    else g = g.add(p, o.weightDecay);
  }
  s.expAvg.lerp_(g, 1 - o.beta1);
  s.expAvgSq.mul_(o.beta2).addcmul_(g, g, 1 - o.beta2);
  const double biasCorrection1 = 1 - std::pow(o.beta1, step);
  const double biasCorrection2 = 1 - std::pow(o.beta2, step);
  const double stepSize = o.lr / biasCorrection1;
  const double bc2Sqrt = std::sqrt(biasCorrection2);
  at::Tensor denom;
  if (o.amsgrad) {
    s.maxExpAvgSq.copy_(s.maxExpAvgSq.max(s.expAvgSq));
    denom = s.maxExpAvgSq.sqrt().div(bc2Sqrt).add_(o.eps);
  } else {
    denom = s.expAvgSq.sqrt().div(bc2Sqrt).add_(o.eps);
  }
  p.addcdiv_(s.expAvg, denom, -stepSize);
}

// torch.optim.RMSprop's single-tensor rule (lib/optim.ts RMSprop.update).
void rmspropStep(const Group& o, ParamSlot& s, const at::Tensor& grad) {
  at::Tensor g = o.maximize ? grad.neg() : grad;
  if (!s.squareAvg.defined()) {
    s.squareAvg = at::zeros_like(s.param);
    if (o.momentum > 0) s.momentumBuffer = at::zeros_like(s.param);
    if (o.centered) s.gradAvg = at::zeros_like(s.param);
  }
  nextStep(s);
  if (o.weightDecay != 0) g = g.add(s.param, o.weightDecay);
  s.squareAvg.mul_(o.alpha).addcmul_(g, g, 1 - o.alpha);
  at::Tensor avg;
  if (o.centered) {
    s.gradAvg.lerp_(g, 1 - o.alpha);
    avg = at::addcmul(s.squareAvg, s.gradAvg, s.gradAvg, -1).sqrt_().add_(o.eps);
  } else {
    avg = s.squareAvg.sqrt().add_(o.eps);
  }
  if (o.momentum > 0) {
    s.momentumBuffer.mul_(o.momentum).addcdiv_(g, avg, 1);
    s.param.add_(s.momentumBuffer, -o.lr);
  } else {
    s.param.addcdiv_(g, avg, -o.lr);
  }
}

// torch.optim.Adagrad's single-tensor rule (lib/optim.ts Adagrad.update).
void adagradStep(const Group& o, ParamSlot& s, const at::Tensor& grad) {
  at::Tensor g = o.maximize ? grad.neg() : grad;
  if (!s.sum.defined()) s.sum = at::full_like(s.param, o.initialAccumulatorValue);
  const double step = nextStep(s);
  if (o.weightDecay != 0) g = g.add(s.param, o.weightDecay);
  const double clr = o.lr / (1 + (step - 1) * o.lrDecay);
  s.sum.addcmul_(g, g, 1);
  const at::Tensor std = s.sum.sqrt().add_(o.eps);
  s.param.addcdiv_(g, std, -clr);
}

// nn.utils.clipGradNorm_ (lib/nn/utils.ts), over the gradients present.
void clipGradNorm(const std::vector<at::Tensor>& grads, double maxNorm) {
  if (grads.empty()) return;
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (const auto& g : grads) norms.push_back(at::linalg_vector_norm(g, 2));
  const at::Tensor total = at::linalg_vector_norm(at::stack(norms), 2);
  const at::Tensor coef = at::reciprocal(total.add(1e-6)).mul(maxNorm).clamp_max(1);
  for (const auto& g : grads) g.mul_(coef);
}

enum class Mode { Train, Eval, Predict };

// What one run has counted so far, read off the device when reported.
struct Counts {
  int64_t batches = 0;
  int64_t count = 0;
  double lossSum = 0;
  int64_t correct = 0;
  int64_t numClasses = 0;
  std::vector<int64_t> topkCorrect;
  std::vector<int64_t> confusion;  // numClasses * numClasses, row-major, rows the true class
};

struct Event {
  enum Kind { Progress, Batch, Done, Error } kind;
  Counts counts;
  at::Tensor outputs;  // predict: every batch's output, concatenated
  std::string error;
};

}  // namespace

struct EngineHandle::Impl {
  std::shared_ptr<const Program> program;
  std::vector<Group> groups;
  std::vector<at::Tensor> params;  // every parameter (grads cleared before each step)
  double clipNorm = 0;
  std::vector<int64_t> topk;
  bool confusion = false;

  std::mutex mutex;
  std::condition_variable cv;
  std::atomic<bool> stop{false};
  std::atomic<bool> progressInFlight{false};
  bool running = false;
  bool waiting = false;  // the thread waits for resume() after a batch event
  std::vector<double> pendingLrs;
};

namespace {

// Tells a run to stop after the batch in progress, and to stop waiting for a resume().
void stopRun(EngineHandle::Impl& impl) {
  impl.stop = true;
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    impl.waiting = false;
  }
  impl.cv.notify_all();
}

// The runs going on, process-wide, so that exit() (process.exit() while fit trains) can stop them
// before static destructors pull LibTorch out from under their threads. Never destroyed: it is used
// during exit.
struct Runs {
  std::mutex mutex;
  std::condition_variable cv;
  std::set<EngineHandle::Impl*> live;
  std::atomic<bool> exiting{false};
};
Runs& runs() {
  static auto* r = new Runs();
  return *r;
}

// An atexit handler: stops every run and waits (a batch at most; 10 s at the very most) until their
// threads have let go of every tensor.
void stopRunsAtExit() {
  auto& r = runs();
  std::unique_lock<std::mutex> lock(r.mutex);
  r.exiting = true;
  for (auto* impl : r.live) stopRun(*impl);
  r.cv.wait_for(lock, std::chrono::seconds(10), [&] { return r.live.empty(); });
}


// The device-side accumulators of a run.
struct Accumulators {
  at::Tensor lossSum, correct, confusion;
  std::vector<at::Tensor> topk;
  int64_t count = 0, batches = 0, numClasses = 0;

  void add(const EngineHandle::Impl& e, const at::Tensor& loss, const at::Tensor& out, const at::Tensor& target, int64_t n) {
    at::NoGradGuard noGrad;
    batches++;
    count += n;
    if (loss.defined()) {
      at::Tensor l = loss.detach().to(at::kDouble).mul(static_cast<double>(n));
      lossSum = lossSum.defined() ? lossSum.add_(l) : l;
    }
    if (!target.defined() || out.dim() != 2) return;
    const int64_t c = out.size(1);
    at::Tensor t;
    if (target.dim() == 1 && !target.is_floating_point() && !target.is_complex()) t = target;
    else if (target.dim() == 2 && target.sizes() == out.sizes()) t = target.argmax(1);  // one-hot or probabilities
    else return;
    numClasses = c;
    const at::Tensor pred = out.argmax(1);
    at::Tensor right = pred.eq(t).sum();
    correct = correct.defined() ? correct.add_(right) : right;
    if (topk.size() < e.topk.size()) topk.resize(e.topk.size());
    for (size_t i = 0; i < e.topk.size(); ++i) {
      const auto idx = std::get<1>(out.topk(std::min(e.topk[i], c), 1));
      at::Tensor hit = idx.eq(t.unsqueeze(1)).any(1).sum();
      topk[i] = topk[i].defined() ? topk[i].add_(hit) : hit;
    }
    if (e.confusion) {
      at::Tensor cm = at::bincount(t.to(at::kLong).mul(c).add(pred), {}, c * c);
      confusion = confusion.defined() ? confusion.add_(cm) : cm;
    }
  }

  Counts read() const {
    Counts c;
    c.batches = batches;
    c.count = count;
    c.numClasses = numClasses;
    if (lossSum.defined()) c.lossSum = lossSum.item<double>();
    if (correct.defined()) c.correct = correct.item<int64_t>();
    for (const auto& t : topk) c.topkCorrect.push_back(t.defined() ? t.item<int64_t>() : 0);
    if (confusion.defined()) {
      at::Tensor cm = confusion.to(at::kCPU, at::kLong).contiguous();
      c.confusion.assign(cm.data_ptr<int64_t>(), cm.data_ptr<int64_t>() + cm.numel());
    }
    return c;
  }
};

Napi::Object countsToJs(Napi::Env env, const Counts& c, const std::vector<int64_t>& topk) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("batches", Napi::Number::New(env, static_cast<double>(c.batches)));
  o.Set("count", Napi::Number::New(env, static_cast<double>(c.count)));
  o.Set("lossSum", Napi::Number::New(env, c.lossSum));
  o.Set("correct", Napi::Number::New(env, static_cast<double>(c.correct)));
  o.Set("numClasses", Napi::Number::New(env, static_cast<double>(c.numClasses)));
  Napi::Object tk = Napi::Object::New(env);
  for (size_t i = 0; i < topk.size(); ++i)
    tk.Set(std::to_string(topk[i]), Napi::Number::New(env, static_cast<double>(i < c.topkCorrect.size() ? c.topkCorrect[i] : 0)));
  o.Set("topkCorrect", tk);
  if (!c.confusion.empty()) {
    Napi::Array cm = Napi::Array::New(env, c.confusion.size());
    for (size_t i = 0; i < c.confusion.size(); ++i) cm.Set(i, Napi::Number::New(env, static_cast<double>(c.confusion[i])));
    o.Set("confusion", cm);
  } else {
    o.Set("confusion", env.Null());
  }
  return o;
}

double numberField(Napi::Env env, const Napi::Object& o, const char* name, double fallback) {
  if (!o.Has(name)) return fallback;
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("EngineHandle: ") + name + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

bool boolField(const Napi::Object& o, const char* name) {
  return o.Has(name) && o.Get(name).IsBoolean() && o.Get(name).As<Napi::Boolean>().Value();
}

at::Tensor optionalTensor(Napi::Env env, const Napi::Object& o, const char* name) {
  if (!o.Has(name)) return at::Tensor();
  Napi::Value v = o.Get(name);
  if (v.IsNull() || v.IsUndefined()) return at::Tensor();
  return TensorHandle::TensorOf(env, v, name);
}

}  // namespace

Napi::Function EngineHandle::DefineClass(Napi::Env env) {
  return MakeClass(env, "EngineHandle",
                   {Method<&EngineHandle::Run>("run"), Method<&EngineHandle::Resume>("resume"), Method<&EngineHandle::Stop>("stop"),
                    Method<&EngineHandle::SetLearningRates>("setLearningRates"), Method<&EngineHandle::ParamState>("paramState")});
}

// new EngineHandle(program, groups, { clipNorm, topk, confusion }):
// groups: [{ kind: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad', lr, momentum, dampening, weightDecay, nesterov,
//            maximize, beta1, beta2, eps, amsgrad, alpha, centered, lrDecay, initialAccumulatorValue, params: [tensor],
//            state: [{ momentumBuffer, expAvg, expAvgSq, maxExpAvgSq, squareAvg, gradAvg, sum, step }] }]
EngineHandle::EngineHandle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  reapStoppedThreads();
  if (info.Length() < 3 || !info[1].IsArray() || !info[2].IsObject())
    throw Napi::TypeError::New(env, "EngineHandle(program, groups, options)");
  impl_ = std::make_shared<Impl>();
  impl_->program = ProgramHandle::ProgramOf(env, info[0]);
  Napi::Array groups = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < groups.Length(); ++i) {
    if (!groups.Get(i).IsObject()) throw Napi::TypeError::New(env, "EngineHandle: a group must be an object");
    Napi::Object go = groups.Get(i).As<Napi::Object>();
    Group g;
    const std::string kind = go.Get("kind").IsString() ? go.Get("kind").As<Napi::String>().Utf8Value() : "";
    if (kind == "sgd") g.kind = OptKind::SGD;
    else if (kind == "adam") g.kind = OptKind::Adam;
    else if (kind == "adamw") g.kind = OptKind::AdamW;
    else if (kind == "rmsprop") g.kind = OptKind::RMSprop;
    else if (kind == "adagrad") g.kind = OptKind::Adagrad;
    else throw Napi::TypeError::New(env, "EngineHandle: unknown optimizer kind '" + kind + "'");
    g.lr = numberField(env, go, "lr", 0);
    g.momentum = numberField(env, go, "momentum", 0);
    g.dampening = numberField(env, go, "dampening", 0);
    g.weightDecay = numberField(env, go, "weightDecay", 0);
    g.beta1 = numberField(env, go, "beta1", 0.9);
    g.beta2 = numberField(env, go, "beta2", 0.999);
    g.eps = numberField(env, go, "eps", 1e-8);
    g.alpha = numberField(env, go, "alpha", 0.99);
    g.lrDecay = numberField(env, go, "lrDecay", 0);
    g.initialAccumulatorValue = numberField(env, go, "initialAccumulatorValue", 0);
    g.centered = boolField(go, "centered");
    g.nesterov = boolField(go, "nesterov");
    g.maximize = boolField(go, "maximize");
    g.amsgrad = boolField(go, "amsgrad");
    if (!go.Get("params").IsArray() || !go.Get("state").IsArray()) throw Napi::TypeError::New(env, "EngineHandle: group params and state must be arrays");
    Napi::Array ps = go.Get("params").As<Napi::Array>();
    Napi::Array st = go.Get("state").As<Napi::Array>();
    if (st.Length() != ps.Length()) throw Napi::RangeError::New(env, "EngineHandle: one state per parameter");
    for (uint32_t j = 0; j < ps.Length(); ++j) {
      ParamSlot s;
      s.param = TensorHandle::TensorOf(env, ps.Get(j), "param");
      if (!st.Get(j).IsObject()) throw Napi::TypeError::New(env, "EngineHandle: a parameter's state must be an object");
      Napi::Object so = st.Get(j).As<Napi::Object>();
      s.momentumBuffer = optionalTensor(env, so, "momentumBuffer");
      s.expAvg = optionalTensor(env, so, "expAvg");
      s.expAvgSq = optionalTensor(env, so, "expAvgSq");
      s.maxExpAvgSq = optionalTensor(env, so, "maxExpAvgSq");
      s.squareAvg = optionalTensor(env, so, "squareAvg");
      s.gradAvg = optionalTensor(env, so, "gradAvg");
      s.sum = optionalTensor(env, so, "sum");
      s.step = optionalTensor(env, so, "step");
      impl_->params.push_back(s.param);
      g.params.push_back(std::move(s));
    }
    impl_->groups.push_back(std::move(g));
  }
  Napi::Object o = info[2].As<Napi::Object>();
  impl_->clipNorm = numberField(env, o, "clipNorm", 0);
  if (o.Has("topk") && o.Get("topk").IsArray()) {
    Napi::Array tk = o.Get("topk").As<Napi::Array>();
    for (uint32_t i = 0; i < tk.Length(); ++i) {
      int64_t k;
      if (!tk.Get(i).IsNumber() || !exactInt64(tk.Get(i).As<Napi::Number>().DoubleValue(), &k) || k < 1)
        throw Napi::TypeError::New(env, "EngineHandle: topk must hold positive integers");
      impl_->topk.push_back(k);
    }
  }
  impl_->confusion = boolField(o, "confusion");
  env_ = env;
}

void EngineHandle::OnTeardown(void* arg) {
  auto* self = static_cast<EngineHandle*>(arg);
  self->hooked_ = false;
  stopRun(*self->impl_);
  if (self->thread_.joinable()) self->thread_.join();  // at most the batch in progress
}

// Collected or disposed mid-run: the thread is told to stop and handed to the reaper.
EngineHandle::~EngineHandle() {
  if (hooked_) napi_remove_env_cleanup_hook(env_, OnTeardown, this);
  if (!impl_) return;
  stopRun(*impl_);
  if (thread_.joinable()) retireThread(std::move(thread_));
}

// run(prefetcher, numBatches, mode, sync, onEvent): mode 'train' | 'eval' | 'predict'. onEvent(kind, counts, outputs?)
// with kind 'progress' | 'batch' (sync: the thread waits for resume()) | 'done' | 'error' (counts is then the message).
Napi::Value EngineHandle::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[2].IsString() || !info[3].IsBoolean() || !info[4].IsFunction())
    throw Napi::TypeError::New(env, "EngineHandle.run(prefetcher, numBatches, mode, sync, onEvent)");
  auto prefetch = PrefetchHandle::StateOf(env, info[0]);
  int64_t numBatches;
  if (!info[1].IsNumber() || !exactInt64(info[1].As<Napi::Number>().DoubleValue(), &numBatches) || numBatches < 0)
    throw Napi::TypeError::New(env, "EngineHandle.run: numBatches must be a non-negative integer");
  const std::string m = info[2].As<Napi::String>().Utf8Value();
  Mode mode;
  if (m == "train") mode = Mode::Train;
  else if (m == "eval") mode = Mode::Eval;
  else if (m == "predict") mode = Mode::Predict;
  else throw Napi::TypeError::New(env, "EngineHandle.run: mode must be 'train', 'eval' or 'predict'");
  const bool sync = info[3].As<Napi::Boolean>().Value();
  auto impl = impl_;
  {
    std::lock_guard<std::mutex> lock(impl->mutex);
    if (impl->running) throw Napi::Error::New(env, "EngineHandle.run: already running");
    impl->running = true;
    impl->stop = false;
    impl->waiting = false;
  }
  if (thread_.joinable()) thread_.join();  // the last run's thread, already finished
  auto topk = impl->topk;
  auto tsfn = Napi::ThreadSafeFunction::New(env, info[4].As<Napi::Function>(), "nodetorch.Model", 0, 1);
  if (hooked_) napi_remove_env_cleanup_hook(env, OnTeardown, this);
  NAPI_THROW_IF_FAILED(env, napi_add_env_cleanup_hook(env, OnTeardown, this), env.Undefined());
  hooked_ = true;
  // Delivers an event on the JavaScript thread.
  // No exception leaves it (it runs outside enter()'s guard): a failure becomes a pending JS exception,
  // which Node reports as uncaught (lib/model's handler catches its own).
  auto deliver = [topk](Napi::Env env, Napi::Function fn, Event* ev) {
    std::unique_ptr<Event> owned(ev);
    if (env == nullptr || fn.IsEmpty()) return;
    static const char* names[] = {"progress", "batch", "done", "error"};
    try {
      Napi::Value payload = ev->kind == Event::Error ? Napi::Value(Napi::String::New(env, ev->error))
                                                     : Napi::Value(countsToJs(env, ev->counts, topk));
      Napi::Value outputs = ev->outputs.defined() ? TensorHandle::Wrap(env, ev->outputs) : env.Null();
      fn.Call({Napi::String::New(env, names[ev->kind]), payload, outputs});
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();
    } catch (const std::exception& e) {
      Napi::Error::New(env, std::string("nodetorch: delivering a training event failed: ") + e.what()).ThrowAsJavaScriptException();
    } catch (...) {
      Napi::Error::New(env, "nodetorch: delivering a training event failed").ThrowAsJavaScriptException();
    }
  };
  static std::once_flag atExitOnce;
  std::call_once(atExitOnce, [] { std::atexit(stopRunsAtExit); });
  {
    std::lock_guard<std::mutex> lock(runs().mutex);
    runs().live.insert(impl.get());
  }
  thread_ = std::thread([impl, prefetch, numBatches, mode, sync, tsfn, deliver]() mutable {
    at::internal::lazy_init_num_threads();  // this thread's intra-op threads: the process's setting
    Accumulators acc;
    std::vector<at::Tensor> outputs;
    std::string error;
    auto lastPost = std::chrono::steady_clock::now();
    // NODETORCH_ENGINE_PROFILE=1: where a run's time went, printed to stderr at its end.
    static const bool profile = std::getenv("NODETORCH_ENGINE_PROFILE") && std::string(std::getenv("NODETORCH_ENGINE_PROFILE")) == "1";
    double tWait = 0, tForward = 0, tBackward = 0, tUpdate = 0, tCount = 0;
    auto clock = [] { return std::chrono::steady_clock::now(); };
    auto since = [](std::chrono::steady_clock::time_point t) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(); };
    auto post = [&](Event::Kind kind) {
      if (runs().exiting) return false;
      auto* ev = new Event{kind, acc.read(), at::Tensor(), std::string()};
      if (tsfn.NonBlockingCall(ev, deliver) != napi_ok) {
        delete ev;
        return false;
      }
      return true;
    };
    try {
      for (int64_t b = 0; b < numBatches && !impl->stop; ++b) {
        std::vector<c10::IValue> batch;
        auto t0 = clock();
        if (!PrefetchHandle::Pop(*prefetch, &batch)) break;
        tWait += since(t0);
        {
          std::lock_guard<std::mutex> lock(impl->mutex);
          if (!impl->pendingLrs.empty()) {
            for (size_t i = 0; i < impl->groups.size() && i < impl->pendingLrs.size(); ++i) impl->groups[i].lr = impl->pendingLrs[i];
            impl->pendingLrs.clear();
          }
        }
        TORCH_CHECK(!batch.empty() && batch[0].isTensor(), "a batch must start with the input tensor");
        const at::Tensor x = batch[0].toTensor();
        const at::Tensor y = batch.size() > 1 && batch[1].isTensor() ? batch[1].toTensor() : at::Tensor();
        at::Tensor loss, out;
        if (mode == Mode::Train) {
          at::AutoGradMode grad(true);
          for (auto& p : impl->params) p.mutable_grad().reset();  // zeroGrad() (set to None)
          t0 = clock();
          auto r = runProgram(*impl->program, {x, y});
          loss = r.at(0).toTensor();
          out = r.at(1).toTensor();
          tForward += since(t0);
          t0 = clock();
          backward(loss, at::Tensor(), false, false, false);
          tBackward += since(t0);
          t0 = clock();
          at::NoGradGuard noGrad;
          if (impl->clipNorm > 0) {
            std::vector<at::Tensor> grads;
            for (auto& p : impl->params)
              if (p.grad().defined()) grads.push_back(p.grad());
            clipGradNorm(grads, impl->clipNorm);
          }
          for (auto& g : impl->groups)
            for (auto& s : g.params) {
              const at::Tensor grad = s.param.grad();
              if (!grad.defined()) continue;
              switch (g.kind) {
                case OptKind::SGD: sgdStep(g, s, grad); break;
                case OptKind::Adam:
                case OptKind::AdamW: adamStep(g, s, grad); break;
                case OptKind::RMSprop: rmspropStep(g, s, grad); break;
                case OptKind::Adagrad: adagradStep(g, s, grad); break;
              }
            }
          tUpdate += since(t0);
        } else {
          at::NoGradGuard noGrad;
          auto r = mode == Mode::Predict ? runProgram(*impl->program, {x}) : runProgram(*impl->program, {x, y});
          if (mode == Mode::Predict) {
            out = r.at(0).toTensor();
            outputs.push_back(out);
          } else {
            loss = r.at(0).toTensor();
            out = r.at(1).toTensor();
          }
        }
        t0 = clock();
        acc.add(*impl, loss, out, mode == Mode::Predict ? at::Tensor() : y, x.size(0));
        tCount += since(t0);
        if (sync) {
          {
            std::lock_guard<std::mutex> lock(impl->mutex);
            impl->waiting = true;
          }
          if (!post(Event::Batch)) break;
          std::unique_lock<std::mutex> lock(impl->mutex);
          impl->cv.wait(lock, [&] { return !impl->waiting || impl->stop; });
        } else {
          const auto now = std::chrono::steady_clock::now();
          if (now - lastPost >= std::chrono::milliseconds(100) && !impl->progressInFlight.exchange(true)) {
            lastPost = now;
            if (!post(Event::Progress)) impl->progressInFlight = false;
          }
        }
      }
    } catch (const std::exception& e) {
      error = e.what();
      if (auto* ce = dynamic_cast<const c10::Error*>(&e)) error = ce->what_without_backtrace();
    } catch (...) {
      error = "unknown error on the training thread";
    }
    if (profile)
      fprintf(stderr, "nodetorch engine: %lld batches: waiting for data %.3f s, forward %.3f s, backward %.3f s, update %.3f s, counting %.3f s\n",
              static_cast<long long>(acc.batches), tWait, tForward, tBackward, tUpdate, tCount);
    Event* ev;
    if (!error.empty()) {
      ev = new Event{Event::Error, Counts(), at::Tensor(), error};
    } else {
      Counts counts;
      at::Tensor all;
      try {
        counts = acc.read();
        if (!outputs.empty()) all = at::cat(outputs);
        ev = new Event{Event::Done, counts, all, std::string()};
      } catch (const std::exception& e) {
        ev = new Event{Event::Error, Counts(), at::Tensor(), e.what()};
      }
    }
    {
      std::lock_guard<std::mutex> lock(impl->mutex);
      impl->running = false;
    }
    EngineHandle::Impl* key = impl.get();
    acc = Accumulators();
    outputs.clear();
    prefetch.reset();
    impl.reset();  // the last tensors this thread holds (or its share of them) go now, not after exit()
    auto& r = runs();
    std::lock_guard<std::mutex> lock(r.mutex);
    if (!r.exiting) {
      if (tsfn.NonBlockingCall(ev, deliver) != napi_ok) delete ev;
      tsfn.Release();
    }
    r.live.erase(key);
    r.cv.notify_all();
  });
  return env.Undefined();
}

// resume(): lets the thread go on after a 'batch' event.
Napi::Value EngineHandle::Resume(const Napi::CallbackInfo& info) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->waiting = false;
  }
  impl_->cv.notify_all();
  return info.Env().Undefined();
}

// stop(): ends the run after the batch in progress (its update is completed first).
Napi::Value EngineHandle::Stop(const Napi::CallbackInfo& info) {
  impl_->stop = true;
  impl_->cv.notify_all();
  return info.Env().Undefined();
}

// setLearningRates([lr per group]): taken at the next batch.
Napi::Value EngineHandle::SetLearningRates(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "setLearningRates(lrs)");
  Napi::Array a = info[0].As<Napi::Array>();
  std::vector<double> lrs;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    if (!a.Get(i).IsNumber()) throw Napi::TypeError::New(env, "setLearningRates: learning rates must be numbers");
    lrs.push_back(a.Get(i).As<Napi::Number>().DoubleValue());
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->pendingLrs = std::move(lrs);
  return env.Undefined();
}

// paramState() -> per group, per parameter, its optimizer state tensors (those made here included).
Napi::Value EngineHandle::ParamState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (impl_->running) throw Napi::Error::New(env, "EngineHandle.paramState: the engine is running");
  }
  Napi::Array groups = Napi::Array::New(env, impl_->groups.size());
  for (size_t i = 0; i < impl_->groups.size(); ++i) {
    const auto& g = impl_->groups[i];
    Napi::Array ps = Napi::Array::New(env, g.params.size());
    for (size_t j = 0; j < g.params.size(); ++j) {
      const auto& s = g.params[j];
      Napi::Object o = Napi::Object::New(env);
      auto set = [&](const char* k, const at::Tensor& t) {
        if (t.defined()) o.Set(k, TensorHandle::Wrap(env, t));
      };
      set("momentumBuffer", s.momentumBuffer);
      set("expAvg", s.expAvg);
      set("expAvgSq", s.expAvgSq);
      set("maxExpAvgSq", s.maxExpAvgSq);
      set("squareAvg", s.squareAvg);
      set("gradAvg", s.gradAvg);
      set("sum", s.sum);
      set("step", s.step);
      ps.Set(j, o);
    }
    groups.Set(i, ps);
  }
  return groups;
}

}  // namespace nodetorch
