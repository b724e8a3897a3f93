// dispatch_bench.cc - one ioctl through the in-process core dispatcher, beside the same work
// done without it.
//
// DOC: what is measured
//
// Every transport ends in core::Dispatch(): unplug check and Enter()/Exit(), the (type, nr)
// table lookup, the size rules, copy in, the handler, copy out. Here it runs with no transport
// at all, on accel0 of the dummy driver loaded from the build tree, with a root caller and
// InProcessMemory, so the numbers are the core's own cost.
//
//   Dispatch/VERSION, Dispatch/GET_CAP   core::Dispatch() on a File of accel0
//   Handler/VERSION, Handler/GET_CAP     the same generic handler called directly through its
//                                        table's function pointer: the work with no dispatch
//   Baseline/memcpy192                   one copy of struct accel_version (192 bytes)
//   Baseline/fnptr_call                  an empty call through an opaque function pointer
//
// Dispatch minus Handler is the dispatcher's overhead; the two baselines show what that
// overhead is made of at the least (one struct copy, one indirect call).
#include <accel/driver_abi.h>
#include <benchmark/benchmark.h>
#include <uapi/accel/accel.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "core/caller.h"
#include "core/device.h"
#include "core/dispatch.h"
#include "core/file.h"
#include "core/generic_ioctls.h"
#include "core/registry.h"
#include "daemon/module_loader.h"

namespace {

using accel::core::Caller;
using accel::core::File;

// accel0 of the dummy driver, opened once by a root caller, torn down in order.
class DummyDevice {
 public:
  static std::unique_ptr<DummyDevice> Open(std::string* why) {
    std::unique_ptr<DummyDevice> d(new DummyDevice);
    if (!d->loader_.Load("dummy", "", why)) return nullptr;
    d->dev_ = d->registry_.Lookup(0);
    if (!d->dev_) {
      *why = "dummy loaded but accel0 is missing";
      return nullptr;
    }
    accel::Result<File*> f = d->dev_->Open(d->caller_);
    if (!f) {
      *why = "open accel0: " + std::string(std::strerror(-f.error()));
      return nullptr;
    }
    d->file_ = *f;
    return d;
  }
  ~DummyDevice() {
    // The file goes before the loader unloads the driver, as a client closes before rmmod.
    if (file_) file_->Close(caller_);
  }
  DummyDevice(const DummyDevice&) = delete;
  DummyDevice& operator=(const DummyDevice&) = delete;

  File& file() { return *file_; }
  const Caller& caller() const { return caller_; }

  // The accel_call the dispatcher would build for this file: for the direct-handler baseline.
  accel_call MakeCall(accel::core::UserMemory& mem) {
    accel_call call{};
    call.dev = dev_->handle();
    call.file = reinterpret_cast<accel_file*>(file_);
    call.dev_priv = dev_->priv();
    call.file_priv = file_->priv();
    call.core = &mem;
    return call;
  }

 private:
  DummyDevice() = default;

  accel::core::Registry registry_;
  accel::daemon::ModuleLoader loader_{registry_, {ACCEL_PLUGIN_DIR}};
  accel::core::DeviceRef dev_;
  File* file_ = nullptr;
  Caller caller_{};  // uid 0
};

// Runs one ioctl per iteration through the dispatcher; `arg` is reused, as a client would.
template <typename Arg>
void BM_Dispatch(benchmark::State& state, DummyDevice* d, uint32_t cmd, Arg arg) {
  accel::core::InProcessMemory mem;
  for (auto _ : state) {
    const int rc = accel::core::Dispatch(d->file(), d->caller(), cmd, &arg, sizeof arg, mem);
    if (rc != 0) {
      state.SkipWithError("Dispatch failed");
      break;
    }
    benchmark::DoNotOptimize(arg);
  }
  state.SetItemsProcessed(state.iterations());
}

// The same command's handler, called through the generic table with no dispatcher around it.
template <typename Arg>
void BM_Handler(benchmark::State& state, DummyDevice* d, uint32_t cmd, Arg arg) {
  const accel_ioctl_desc* io = accel::core::FindGenericIoctl(_IOC_NR(cmd));
  accel::core::InProcessMemory mem;
  const accel_call call = d->MakeCall(mem);
  for (auto _ : state) {
    if (io->handler(&call, &arg) != 0) {
      state.SkipWithError("handler failed");
      break;
    }
    benchmark::DoNotOptimize(arg);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Memcpy192(benchmark::State& state) {
  accel_version src{}, dst{};
  std::strcpy(src.name, "dummy");
  for (auto _ : state) {
    benchmark::DoNotOptimize(src);  // the compiler may not assume src unchanged
    std::memcpy(&dst, &src, sizeof dst);
    benchmark::DoNotOptimize(dst);
  }
  state.SetItemsProcessed(state.iterations());
}

__attribute__((noinline)) int EmptyHandler(const accel_call*, void* data) {
  benchmark::DoNotOptimize(data);
  return 0;
}

void BM_FunctionPointerCall(benchmark::State& state) {
  accel_ioctl_handler_t fn = &EmptyHandler;
  accel_version v{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(fn);  // opaque: no devirtualisation or inlining
    benchmark::DoNotOptimize(fn(nullptr, &v));
  }
  state.SetItemsProcessed(state.iterations());
}

void RegisterAll(DummyDevice* d) {
  const accel_get_cap cap{ACCEL_CAP_UAPI_VERSION, 0};
  benchmark::RegisterBenchmark("Dispatch/VERSION", BM_Dispatch<accel_version>, d,
                               ACCEL_IOCTL_VERSION, accel_version{});
  benchmark::RegisterBenchmark("Handler/VERSION", BM_Handler<accel_version>, d, ACCEL_IOCTL_VERSION,
                               accel_version{});
  benchmark::RegisterBenchmark("Dispatch/GET_CAP", BM_Dispatch<accel_get_cap>, d,
                               ACCEL_IOCTL_GET_CAP, cap);
  benchmark::RegisterBenchmark("Handler/GET_CAP", BM_Handler<accel_get_cap>, d, ACCEL_IOCTL_GET_CAP,
                               cap);
  benchmark::RegisterBenchmark("Baseline/memcpy192", BM_Memcpy192);
  benchmark::RegisterBenchmark("Baseline/fnptr_call", BM_FunctionPointerCall);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::string why;
  std::unique_ptr<DummyDevice> dev = DummyDevice::Open(&why);
  if (!dev) {
    std::fprintf(stderr, "dispatch_bench: %s\n", why.c_str());
    return 1;
  }
  RegisterAll(dev.get());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
