// ras_codec_bench.cc - every RAS format's encoder and decoder beside memcpy of the same bytes.
//
// DOC: what is measured
//
// One Snapshot of 64 components (320 counter pairs), 1,000 logged events (some with firmware
// blobs and addresses) and 16 retired pages, the size the issue names. For each codec:
//   Encode/<format>   codec->encode(snapshot)
//   Decode/<format>   codec->decode(bytes) of that encoding, validation included
//   Memcpy/<format>   memcpy of as many bytes as the encoding has: the floor any format pays
// Bytes per second are reported on each, so Encode/Memcpy of one format is the ratio that
// docs/BENCHMARKS.md lists. KEY_VAL_32 and NETLINK carry counters only, CPER events only, and
// GRPC only a URI: their encodings are smaller, and the memcpy beside them is too.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "ras/codec.h"
#include "ras/codecs/all_codecs.h"
#include "ras/codecs/grpc_target/grpc_target_codec.h"
#include "sample_snapshot.h"

namespace {

using accel::ras::Codec;
using accel::ras::Snapshot;

const Snapshot& BenchSnapshot() {
  static const Snapshot s = [] {
    accel::ras::testing::SampleShape shape;
    shape.components = 64;
    shape.events = 1000;
    shape.pages = 16;
    return accel::ras::testing::MakeSampleSnapshot(shape);
  }();
  return s;
}

void Encode(benchmark::State& state, const Codec* codec) {
  const Snapshot& s = BenchSnapshot();
  size_t bytes = 0;
  for (auto _ : state) {
    accel::Result<std::vector<uint8_t>> out = codec->encode(s);
    if (!out) {
      state.SkipWithError("encode failed");
      return;
    }
    bytes = out->size();
    benchmark::DoNotOptimize(out->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
}

void Decode(benchmark::State& state, const Codec* codec) {
  accel::Result<std::vector<uint8_t>> in = codec->encode(BenchSnapshot());
  if (!in) {
    state.SkipWithError("encode failed");
    return;
  }
  for (auto _ : state) {
    accel::Result<Snapshot> s = codec->decode(*in);
    if (!s) {
      state.SkipWithError("decode failed");
      return;
    }
    benchmark::DoNotOptimize(s->counters.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in->size()));
}

void Memcpy(benchmark::State& state, const Codec* codec) {
  accel::Result<std::vector<uint8_t>> in = codec->encode(BenchSnapshot());
  if (!in) {
    state.SkipWithError("encode failed");
    return;
  }
  std::vector<uint8_t> dst(in->size());
  for (auto _ : state) {
    std::memcpy(dst.data(), in->data(), in->size());
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in->size()));
}

int RegisterAll() {
  accel::ras::SetGrpcTarget("unix:/run/accel/ras.sock");
  for (const Codec* c : accel::ras::AllCodecs()) {
    const std::string name = c->name;
    benchmark::RegisterBenchmark(("Encode/" + name).c_str(), Encode, c);
    benchmark::RegisterBenchmark(("Decode/" + name).c_str(), Decode, c);
    benchmark::RegisterBenchmark(("Memcpy/" + name).c_str(), Memcpy, c);
  }
  return 0;
}

const int kRegistered = RegisterAll();

}  // namespace

BENCHMARK_MAIN();
