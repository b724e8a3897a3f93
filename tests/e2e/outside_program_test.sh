#!/usr/bin/env bash
# Installs the build into a temp prefix, starts the INSTALLED acceld (so plugin lookup from an
# install tree is exercised), and builds two outside programs against the installed files:
# a C program with pkg-config, a C++ program with CMake's find_package(accel).
set -euo pipefail
src=$1
build=${ACCEL_BUILD_DIR:?}
tmp=$(mktemp -d /tmp/accel-outside-XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
prefix=$tmp/prefix
libdir=$(dirname "$(find "$prefix" -name 'libaccel.so' | head -n1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
export LD_LIBRARY_PATH=$libdir
export ACCEL_RUNTIME_DIR=$tmp/run

"$prefix/bin/acceld" --runtime-dir "$ACCEL_RUNTIME_DIR" --ras-db "$tmp/ras.db" --load dummy \
  2>"$tmp/acceld.log" &
pid=$!
for _ in $(seq 1 200); do [ -S "$ACCEL_RUNTIME_DIR/acceld.sock" ] && break; sleep 0.05; done
[ -S "$ACCEL_RUNTIME_DIR/acceld.sock" ] || { cat "$tmp/acceld.log"; exit 1; }

cc -std=c99 -Wall -Wextra -Werror -o "$tmp/outside_c" "$src/outside.c" \
   $(pkg-config --cflags --libs libaccel)
"$tmp/outside_c"

cmake -S "$src" -B "$tmp/cxx" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cxx" >/dev/null
"$tmp/cxx/outside_cxx"

# The installed accelctl finds its libaccel through its RPATH.
env -u LD_LIBRARY_PATH "$prefix/bin/accelctl" list >/dev/null || { echo "installed accelctl list failed"; exit 1; }
echo "outside programs built and ran against the installed accel"
