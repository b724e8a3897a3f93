# shellcheck shell=bash
# scripts/deps.sh - the Debian 12 packages accel needs to build and test, in one place.
#
# Sourced, not run:   source scripts/deps.sh && accel_install_deps
# Used by scripts/setup-and-run.sh and scripts/test.sh. Packages are checked with dpkg-query
# first, so a machine that has them all is not touched (no apt-get update) and re-runs are fast.

ACCEL_APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config g++
  clang-14 libclang-rt-14-dev # the clang build and the libFuzzer preset
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libfuse3-dev fuse3
  libseccomp-dev # vnpu-fw's syscall filter
  libdrm-dev # the libdrm end-to-end test: drmGetVersion/drmGetCap on accel nodes
  # RAS: the store, the codecs and the gRPC service
  libsqlite3-dev sqlite3 libmnl-dev libcbor-dev libtasn1-6-dev libtasn1-bin
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libthrift-dev thrift-compiler libboost-dev # libthrift's headers include Boost
  # independent readers the RAS tests check our bytes with
  libnl-3-dev libnl-genl-3-dev openssl python3-jsonschema
  python3 util-linux
)

# Prints the packages of ACCEL_APT_PACKAGES that are not installed, one a line.
accel_missing_deps() {
  local pkg
  for pkg in "${ACCEL_APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]]; then
      echo "$pkg"
    fi
  done
}

# Installs what is missing. Returns 1 when something is missing and we are not root.
accel_install_deps() {
  local missing
  mapfile -t missing < <(accel_missing_deps)
  if ((${#missing[@]} == 0)); then
    echo "deps: all ${#ACCEL_APT_PACKAGES[@]} packages are installed"
    return 0
  fi
  if ((EUID != 0)); then
    echo "deps: missing ${missing[*]}; run this script as root, or install them with:" \
      "sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  echo "deps: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}
