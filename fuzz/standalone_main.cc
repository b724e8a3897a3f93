// standalone_main.cc - replays inputs through a fuzz target without libFuzzer.
//
// The default build (GCC, no libFuzzer) links this in place of libFuzzer's main(), so every
// fuzz target still compiles there and its seed corpus, crash reproducers included, runs as
// a ctest regression test:
//
//   wire_frame_fuzz fuzz/corpus/wire_frame_fuzz [more files or directories...]
//
// Directories are walked recursively, files run in sorted order so a failure reproduces in
// the same sequence. Each input is copied into a heap block of exactly its size, as libFuzzer
// does, so that a read one past the end is caught by ASan. A run that finds no input at all
// fails: an empty corpus means a misconfigured test, not a passing one.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional in a fuzz target; weak so that its address is null when the target has none.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool CollectInputs(const fs::path& arg, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    out.push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) {
    std::fprintf(stderr, "standalone fuzz driver: %s is neither a file nor a directory\n",
                 arg.c_str());
    return false;
  }
  for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) out.push_back(it->path());
  if (ec) {
    std::fprintf(stderr, "standalone fuzz driver: %s: %s\n", arg.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

bool RunOne(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "standalone fuzz driver: cannot read %s\n", path.c_str());
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  // make_unique<T[]>(0) still returns a valid pointer, as libFuzzer passes for empty inputs.
  auto exact = std::make_unique<uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), exact.get());
  std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i)
    if (!CollectInputs(argv[i], inputs)) return 1;
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& p : inputs)
    if (!RunOne(p)) return 1;
  std::fprintf(stderr, "standalone fuzz driver: %zu inputs ran\n", inputs.size());
  return inputs.empty() ? 1 : 0;
}
