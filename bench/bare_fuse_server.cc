// bare_fuse_server.cc - see bare_fuse_server.h.
#include "bare_fuse_server.h"

#define FUSE_USE_VERSION 312
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "bench_mounts.h"

namespace accel::bench {
namespace {

constexpr fuse_ino_t kFileIno = 2;
constexpr char kFileName[] = "node";
constexpr size_t kMaxIoctlBytes = (1u << 14) - 1;  // _IOC_SIZE is a 14-bit field
constexpr int kReadyTimeoutMs = 10000;

// What read(2) returns. Writable on purpose: a zero-initialised array that is never written
// stays in .bss (no 1 MiB in the binary) and every page maps the kernel's zero page.
constexpr size_t kZeroBytes = 1u << 20;
char g_zeros[kZeroBytes];

struct stat DirAttr() {
  struct stat st {};
  st.st_ino = FUSE_ROOT_ID;
  st.st_mode = S_IFDIR | 0755;
  st.st_nlink = 2;
  return st;
}

// Owned by whoever runs the benchmark, mode 0666: acceld's nodes get --node-mode 0666 too.
struct stat FileAttr() {
  struct stat st {};
  st.st_ino = kFileIno;
  st.st_mode = S_IFREG | 0666;
  st.st_nlink = 1;
  st.st_uid = getuid();
  st.st_gid = getgid();
  return st;
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != FUSE_ROOT_ID || std::strcmp(name, kFileName) != 0)
    return (void)fuse_reply_err(req, ENOENT);
  fuse_entry_param e{};
  e.ino = kFileIno;
  e.attr = FileAttr();
  // 0, as acceld replies: an open then costs the same LOOKUP and GETATTR on both servers.
  e.attr_timeout = 0;
  e.entry_timeout = 0;
  fuse_reply_entry(req, &e);
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID && ino != kFileIno) return (void)fuse_reply_err(req, ENOENT);
  const struct stat st = ino == FUSE_ROOT_ID ? DirAttr() : FileAttr();
  fuse_reply_attr(req, &st, 0);
}

// Only so that `ls` of the mount works while debugging; never on a measured path.
void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID) return (void)fuse_reply_err(req, ENOTDIR);
  const struct stat dir = DirAttr(), file = FileAttr();
  const std::pair<const char*, const struct stat*> entries[] = {
      {".", &dir}, {"..", &dir}, {kFileName, &file}};
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < std::size(entries); ++i) {
    const size_t n = fuse_add_direntry(req, buf.data() + used, size - used, entries[i].first,
                                       entries[i].second, static_cast<off_t>(i + 1));
    if (n > size - used) break;
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino != kFileIno) return (void)fuse_reply_err(req, EISDIR);
  fi->direct_io = 1;  // as acceld's nodes: every read reaches the server
  fi->keep_cache = 0;
  fuse_reply_open(req, fi);
}

void Release(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t, fuse_file_info*) {
  fuse_reply_buf(req, g_zeros, std::min(size, kZeroBytes));
}

// The input bytes go back as they came, zero-filled to the output size (an _IOR command sends
// nothing in and wants _IOC_SIZE bytes out).
void Ioctl(fuse_req_t req, fuse_ino_t, unsigned int, void*, fuse_file_info*, unsigned flags,
           const void* in_buf, size_t in_size, size_t out_size) {
  if (flags & FUSE_IOCTL_DIR) return (void)fuse_reply_err(req, ENOTTY);
  if (out_size > kMaxIoctlBytes) return (void)fuse_reply_err(req, EINVAL);
  if (in_size >= out_size) return (void)fuse_reply_ioctl(req, 0, in_buf, out_size);
  char buf[kMaxIoctlBytes];
  if (in_size > 0) std::memcpy(buf, in_buf, in_size);
  std::memset(buf + in_size, 0, out_size - in_size);
  fuse_reply_ioctl(req, 0, buf, out_size);
}

constexpr fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops{};
  ops.lookup = Lookup;
  ops.getattr = GetAttr;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.release = Release;
  ops.read = Read;
  ops.ioctl = Ioctl;
  return ops;
}

const fuse_lowlevel_ops kOps = MakeOps();

fuse_session* NewSession() {
  std::vector<const char*> argv = {
      "accel-bench-bare", "-ofsname=accel-bench-bare,subtype=accelbench", "-odefault_permissions"};
  if (geteuid() == 0) argv.push_back("-oallow_other");  // as acceld
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  return fuse_session_new(&args, &kOps, sizeof kOps, nullptr);
}

// One fd shared by the workers, as acceld (src/transport/fuse/fuse_mount.cc) reads it; libfuse
// starts workers as requests need them, up to 16 (acceld keeps 8).
int RunLoop(fuse_session* se) {
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(cfg, 0);
  fuse_loop_cfg_set_max_threads(cfg, 16);
  const int rc = fuse_session_loop_mt(se, cfg);
  fuse_loop_cfg_destroy(cfg);
  return rc;
}

// The child: mount, say so on `ready_fd`, serve until SIGTERM, unmount. Exit 0 when clean.
int Serve(const char* dir, int ready_fd) {
  // SIGTERM instead of ChildProcess's SIGKILL when the benchmark dies: then the loop ends
  // through fuse's own signal handler and the mount goes away with us.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  fuse_session* se = NewSession();
  if (se == nullptr) return 2;
  if (fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, dir) != 0) {
    fuse_session_destroy(se);
    return 3;
  }
  const char ready = 1;
  const bool told = write(ready_fd, &ready, 1) == 1;
  close(ready_fd);
  // The loop returns the signal number that ended it; only a negative value is a failure.
  const int rc = told ? RunLoop(se) : -1;
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return rc < 0 ? 4 : 0;
}

// True once the child wrote its byte; false if it exited first or the timeout passed.
bool WaitReady(int fd) {
  pollfd p{fd, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, kReadyTimeoutMs);
  } while (n < 0 && errno == EINTR);
  char byte = 0;
  return n == 1 && read(fd, &byte, 1) == 1;
}

}  // namespace

std::unique_ptr<BareFuseServer> BareFuseServer::Start(std::string* why) {
  std::string dir = MakeBenchDir("fuse-");
  if (dir.empty()) {
    *why = std::string("mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    *why = std::string("pipe2: ") + std::strerror(errno);
    rmdir(dir.c_str());
    return nullptr;
  }
  DetachOnExit(dir);
  const char* path = dir.c_str();  // the child's copy of this string stays valid
  ChildProcess child = ChildProcess::Start([path, ready] {
    close(ready[0]);
    return Serve(path, ready[1]);
  });
  close(ready[1]);  // from now on EOF on ready[0] means the child is gone
  std::unique_ptr<BareFuseServer> server(new BareFuseServer(dir, std::move(child)));
  const bool up = WaitReady(ready[0]);
  close(ready[0]);
  if (!up) {
    const int status = server->process_.Stop();
    *why = "bare FUSE server did not come up at " + dir + " (wait status " +
           std::to_string(status) + "; no /dev/fuse, or mounting is not permitted here?)";
    return nullptr;  // the destructor unmounts and removes the directory
  }
  return server;
}

bool BareFuseServer::Stop() {
  const int status = process_.Stop();
  if (!dir_.empty()) {
    DetachMount(dir_);  // normally gone already (the child unmounted); a no-op then
    ForgetOnExit(dir_);
    rmdir(dir_.c_str());
    dir_.clear();
  }
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

BareFuseServer::~BareFuseServer() {
  Stop();
}

}  // namespace accel::bench
