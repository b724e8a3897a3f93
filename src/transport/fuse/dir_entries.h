// dir_entries.h - answering READDIR from a list of entries, for both FUSE trees.
#ifndef ACCEL_TRANSPORT_FUSE_DIR_ENTRIES_H_
#define ACCEL_TRANSPORT_FUSE_DIR_ENTRIES_H_

#include "transport/fuse/fuse_mount.h"

#include <sys/stat.h>

#include <string>
#include <vector>

namespace accel::transport {

struct DirEntry {
  std::string name;
  struct stat st;
};

// Replies with the entries from index `off` on, as many as fit in `size` bytes; each entry's
// offset is its index + 1, so the kernel's next READDIR resumes after it.
void ReplyDirEntries(fuse_req_t req, const std::vector<DirEntry>& entries, size_t size, off_t off);

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_DIR_ENTRIES_H_
