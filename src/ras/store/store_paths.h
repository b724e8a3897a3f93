// store_paths.h - where the RAS database lives, and creating it with private permissions.
#ifndef ACCEL_RAS_STORE_STORE_PATHS_H_
#define ACCEL_RAS_STORE_STORE_PATHS_H_

#include <sys/types.h>

#include <string>

namespace accel::ras::store {

// The default database path for effective uid `euid`, given $XDG_STATE_HOME and $HOME (nullptr
// when unset): /var/lib/accel/ras.db for root; else $XDG_STATE_HOME/accel/ras.db when that is
// an absolute path (the XDG spec says to ignore relative ones); else
// $HOME/.local/state/accel/ras.db; "" when neither is usable. RasStore::DefaultPath() calls it
// with this process's values (and the passwd entry's home when $HOME is unset).
std::string DefaultPathFor(uid_t euid, const char* xdg_state_home, const char* home);

// Creates each missing directory above `path` with mode 0700 and `path` itself, when missing,
// as an empty file with mode 0600 (the umask can only take bits away). Existing directories
// and files keep their modes. 0 or -errno.
int CreateDatabaseFile(const std::string& path);

}  // namespace accel::ras::store

#endif  // ACCEL_RAS_STORE_STORE_PATHS_H_
