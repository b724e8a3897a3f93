// fuzz_check.h - invariant checks for fuzz targets that stay armed in every build type.
//
// assert() vanishes under NDEBUG (RelWithDebInfo), and a fuzz target's oracles are the whole
// point of running it, so they get their own macro: print what failed, then abort(), which
// libFuzzer reports as a crash with the input saved.
//
//   FUZZ_CHECK(rc == 0 || rc == -EINVAL, "rc=%d", rc);
#ifndef ACCEL_FUZZ_FUZZ_CHECK_H_
#define ACCEL_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                           \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                                \
      std::fputc('\n', stderr);                                                         \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

#endif  // ACCEL_FUZZ_FUZZ_CHECK_H_
