// dir_entries.cc - see dir_entries.h.
#include "transport/fuse/dir_entries.h"

namespace accel::transport {

void ReplyDirEntries(fuse_req_t req, const std::vector<DirEntry>& entries, size_t size, off_t off) {
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = off < 0 ? entries.size() : static_cast<size_t>(off); i < entries.size(); ++i) {
    size_t n = fuse_add_direntry(req, buf.data() + used, size - used, entries[i].name.c_str(),
                                 &entries[i].st, static_cast<off_t>(i + 1));
    if (n > size - used) break;  // did not fit: the kernel asks again from here
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

}  // namespace accel::transport
