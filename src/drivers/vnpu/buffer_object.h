// buffer_object.h - a vnpu buffer object (DRM's GEM object): device memory a job reads and
// writes, backed by a sealed memfd.
//
// The memfd is what makes zero copy possible: acceld maps it for the engines and BO_EXPORT
// passes it to a socket client, who maps the same pages. It is sealed against shrinking and
// growing (and against further sealing) before anyone else sees it, so no client can truncate
// it under an engine and make acceld take a SIGBUS. A BufferObject is shared (std::shared_ptr)
// by the file handles naming it and by the jobs using it, as GEM references are: destroying a
// handle while a job runs frees the memory only when the job is done.
#ifndef ACCEL_DRIVERS_VNPU_BUFFER_OBJECT_H_
#define ACCEL_DRIVERS_VNPU_BUFFER_OBJECT_H_

#include <accel/result.h>

#include <cstdint>
#include <memory>

#include "drivers/vnpu/device_memory.h"

namespace accel::vnpu {

class BufferObject {
 public:
  // `size` is rounded up to the page. -ENOMEM past the device's memory, or the memfd's errno.
  static Result<std::shared_ptr<BufferObject>> Create(std::shared_ptr<DeviceMemory> memory,
                                                      uint64_t size);
  ~BufferObject();
  BufferObject(const BufferObject&) = delete;
  BufferObject& operator=(const BufferObject&) = delete;

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  uint64_t device_address() const { return device_address_; }
  int memfd() const { return memfd_; }

  // True when [offset, offset + len) lies inside the BO (overflow-safe).
  bool InRange(uint64_t offset, uint64_t len) const {
    return offset <= size_ && len <= size_ - offset;
  }
  // True when the range touches a poisoned page.
  bool Poisoned(uint64_t offset, uint64_t len) const {
    return memory_->IsPoisoned(device_address_ + offset, len);
  }

 private:
  BufferObject() = default;

  std::shared_ptr<DeviceMemory> memory_;
  int memfd_ = -1;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t device_address_ = 0;
};

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_BUFFER_OBJECT_H_
