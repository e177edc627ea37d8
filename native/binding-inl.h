#pragma once
// Exception translation shared by every binding entry point.

namespace nodetorch {

template <typename F>
auto guarded(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception
  } catch (const c10::IndexError& e) {
    throwTorchError(env, e.what_without_backtrace(), "IndexError");
  } catch (const c10::ValueError& e) {
    throwTorchError(env, e.what_without_backtrace(), "ValueError");
  } catch (const c10::TypeError& e) {
    throwTorchError(env, e.what_without_backtrace(), "TypeError");
  } catch (const c10::OutOfMemoryError& e) {
    throwTorchError(env, e.what_without_backtrace(), "OutOfMemoryError");
  } catch (const c10::NotImplementedError& e) {
    throwTorchError(env, e.what_without_backtrace(), "NotImplementedError");
  } catch (const c10::Error& e) {
    throwTorchError(env, e.what_without_backtrace(), "RuntimeError");
  } catch (const std::bad_alloc&) {
    throwTorchError(env, "out of memory (std::bad_alloc)", "OutOfMemoryError");
  } catch (const std::exception& e) {
    throwTorchError(env, e.what(), "RuntimeError");
  } catch (...) {
    throwTorchError(env, "unknown native error", "RuntimeError");
  }
  throw Napi::Error::New(env, "unreachable");
}

}  // namespace nodetorch
