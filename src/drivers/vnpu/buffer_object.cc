// buffer_object.cc - see buffer_object.h.
#include "drivers/vnpu/buffer_object.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace accel::vnpu {

Result<std::shared_ptr<BufferObject>> BufferObject::Create(std::shared_ptr<DeviceMemory> memory,
                                                           uint64_t size) {
  if (size == 0 || size > UINT64_MAX - kPageSize) return Err(EINVAL);
  const uint64_t bytes = (size + kPageSize - 1) & ~(kPageSize - 1);
  Result<uint64_t> address = memory->Allocate(bytes);
  if (!address) return Errno{address.error()};
  std::shared_ptr<BufferObject> bo(new BufferObject);
  bo->memory_ = std::move(memory);
  bo->size_ = bytes;
  bo->device_address_ = *address;
  // From here the destructor returns the range (and closes what was opened).
  bo->memfd_ = memfd_create("vnpu-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (bo->memfd_ < 0) return Err(errno);
  if (ftruncate(bo->memfd_, static_cast<off_t>(bytes)) != 0) return Err(errno);
  if (fcntl(bo->memfd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    return Err(errno);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, bo->memfd_, 0);
  if (p == MAP_FAILED) return Err(errno);
  bo->data_ = static_cast<uint8_t*>(p);
  return bo;
}

BufferObject::~BufferObject() {
  if (data_) munmap(data_, size_);
  if (memfd_ >= 0) close(memfd_);
  if (memory_ && device_address_) memory_->Free(device_address_, size_);
}

}  // namespace accel::vnpu
