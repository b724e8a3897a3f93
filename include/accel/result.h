// accel/result.h - errors as values: Result<T> holds a T or a negative errno.
//
// The kernel's convention carries through accel: an error is a negative errno (-ENODEV), zero
// or a value is success. Result<T> makes that a type the compiler insists is looked at, in the
// spirit of llvm::Expected and absl::StatusOr, without exceptions.
//
//   Result<uint32_t> id = allocator.Alloc();
//   if (!id) return id.error();        // -ENOSPC
//   use(*id);
//
// std::expected would do, but it needs C++23; this is the small subset accel uses.
#ifndef ACCEL_RESULT_H_
#define ACCEL_RESULT_H_

#include <cassert>
#include <utility>
#include <variant>

namespace accel {

// A negative errno, spelled as a type so that it converts to any Result<T>.
struct Errno {
  int code;  // negative: -ENODEV, -EINVAL, ...
};

// Builds an error from a positive errno constant: `return Err(ENODEV);`.
inline constexpr Errno Err(int positive_errno) {
  return Errno{-positive_errno};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Errno e) : v_(e) { assert(e.code < 0); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  // The negative errno; only valid when !ok().
  int error() const { return std::get<Errno>(v_).code; }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Errno> v_;
};

// Result<void>: success or a negative errno.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Errno e) : code_(e.code) { assert(e.code < 0); }  // NOLINT

  bool ok() const { return code_ == 0; }
  explicit operator bool() const { return ok(); }
  int error() const { return code_; }

  // Converts a kernel-style int (0 or -errno) into a Result<void>.
  static Result FromErrno(int rc) { return rc < 0 ? Result(Errno{rc}) : Result(); }

 private:
  int code_ = 0;
};

}  // namespace accel

#endif  // ACCEL_RESULT_H_
