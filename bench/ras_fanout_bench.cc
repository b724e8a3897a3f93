// ras_fanout_bench.cc - one RAS event delivered to 64 subscribers, apart from persistence.
//
// DOC: what is measured
//
// accel0 of the dummy driver (loaded from the build tree) with 64 subscribers; each iteration
// reports one event through Device::RasReport, the path device_ras_report takes (counters, log,
// thresholds, then every subscriber's queue). Every 64 events -- the per-file queue bound,
// ACCEL_RAS_EVENT_QUEUE_LEN -- each subscriber's queue is drained and checked: all 64 events
// there and nothing lost, so the rate counts delivered events, not dropped ones.
//   FanOut/files          64 open files (what RAS_EVENT_READ and poll(2) serve)
//   FanOut/subscriptions  64 RasService subscriptions (what gRPC Watch serves), no store
//   Bare/deques           the floor: the same 120-byte struct pushed into 64 mutex-guarded
//                         deques and drained the same way, with no RAS state at all
// items_per_second is events per second, each delivered 64 times. Target: >= 100,000.
#include <benchmark/benchmark.h>
#include <uapi/accel/accel.h>

#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/caller.h"
#include "core/device.h"
#include "core/file.h"
#include "core/registry.h"
#include "daemon/module_loader.h"
#include "daemon/ras_service.h"
#include "ras/codecs/all_codecs.h"

namespace {

constexpr int kSubscribers = 64;
constexpr int kBatch = ACCEL_RAS_EVENT_QUEUE_LEN;

accel::ras::Event MakeEvent() {
  accel::ras::Event e;
  e.component = 0;
  e.severity = 0;
  e.code = 0x1000;
  e.count = 1;
  e.message = "fan-out";
  return e;
}

struct Fixture {
  accel::core::Registry registry;
  std::unique_ptr<accel::ras::RasService> service;
  accel::daemon::ModuleLoader loader{registry, {ACCEL_PLUGIN_DIR}};
  accel::core::DeviceRef dev;
  accel::core::Caller root;

  explicit Fixture(bool with_service) {
    accel::ras::InstallAllCodecs();
    if (with_service) {
      service = std::make_unique<accel::ras::RasService>(registry, nullptr,
                                                         std::vector<accel::ras::ThresholdRule>{});
      registry.set_ras_observer(service.get());
    }
    std::string why;
    if (loader.Load("dummy", "", &why)) dev = registry.Lookup(0);
  }
  ~Fixture() {
    dev = accel::core::DeviceRef();
    (void)loader.Unload("dummy", true);
    if (service) service->Shutdown();
  }
};

void FanOutFiles(benchmark::State& state) {
  Fixture fx(false);
  if (!fx.dev) return state.SkipWithError("dummy did not load");
  std::vector<accel::core::File*> files;
  for (int i = 0; i < kSubscribers; ++i) files.push_back(*fx.dev->Open(fx.root));
  int pending = 0;
  for (auto _ : state) {
    (void)fx.dev->RasReport(MakeEvent());
    if (++pending == kBatch) {
      for (accel::core::File* f : files) {
        int got = 0;
        while (std::optional<accel_ras_event> ev = f->PopEvent()) {
          if (ev->lost != 0) return state.SkipWithError("an event was lost below the bound");
          ++got;
        }
        if (got != kBatch) return state.SkipWithError("a subscriber missed events");
      }
      pending = 0;
    }
  }
  for (accel::core::File* f : files) f->Close(fx.root);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(FanOutFiles)->Name("FanOut/files");

void FanOutSubscriptions(benchmark::State& state) {
  Fixture fx(true);
  if (!fx.dev) return state.SkipWithError("dummy did not load");
  std::vector<std::unique_ptr<accel::ras::EventSubscription>> subs;
  for (int i = 0; i < kSubscribers; ++i) subs.push_back(fx.service->Subscribe("", kBatch));
  int pending = 0;
  accel::ras::EventRecord rec;
  for (auto _ : state) {
    (void)fx.dev->RasReport(MakeEvent());
    if (++pending == kBatch) {
      for (auto& s : subs) {
        int got = 0;
        while (s->Next(&rec, 0)) ++got;
        if (got != kBatch || s->TakeLost() != 0)
          return state.SkipWithError("a subscriber missed events");
      }
      pending = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(FanOutSubscriptions)->Name("FanOut/subscriptions");

void BareDeques(benchmark::State& state) {
  struct Queue {
    std::mutex mu;
    std::deque<accel_ras_event> q;
  };
  std::vector<Queue> queues(kSubscribers);
  accel_ras_event ev{};
  std::strncpy(ev.message, "fan-out", sizeof(ev.message) - 1);
  int pending = 0;
  for (auto _ : state) {
    ++ev.seqno;
    for (Queue& q : queues) {
      std::lock_guard lock(q.mu);
      q.q.push_back(ev);
    }
    if (++pending == kBatch) {
      for (Queue& q : queues) {
        std::lock_guard lock(q.mu);
        int got = 0;
        while (!q.q.empty()) {
          benchmark::DoNotOptimize(q.q.front().seqno);
          q.q.pop_front();
          ++got;
        }
        if (got != kBatch) return state.SkipWithError("lost");
      }
      pending = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BareDeques)->Name("Bare/deques");

}  // namespace

BENCHMARK_MAIN();
