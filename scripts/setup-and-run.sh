#!/usr/bin/env bash
# scripts/setup-and-run.sh - from a fresh Debian 12 machine to a running accel, in one go.
#
# As root: installs the build dependencies (scripts/deps.sh), builds into build/, starts
# acceld with two dummy devices and one vnpu (the emulated accelerator, with its vnpu-fw
# firmware process) in a private runtime directory, shows `accelctl list` and
# `accelctl info accel0`, the RAS commands, vnpu running every opcode, a firmware crash and the
# device's recovery, and `accelctl top`, then stops acceld. Nothing is left running and the runtime
# directory is removed, whether the script succeeds or fails. Without root it works as well
# once the dependencies are installed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
accel_install_deps

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build

ACCEL_RUNTIME_DIR="$(mktemp -d -t accel-run.XXXXXX)"
export ACCEL_RUNTIME_DIR
acceld_pid=""

# Stops acceld (SIGTERM, then SIGKILL if it has not exited within 10 s) and removes the
# runtime directory. Runs on every exit, so a failed step never leaves a daemon behind.
stop_acceld() {
  if [[ -n "$acceld_pid" ]] && kill -0 "$acceld_pid" 2>/dev/null; then
    kill -TERM "$acceld_pid"
    for _ in $(seq 100); do
      kill -0 "$acceld_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$acceld_pid" 2>/dev/null && kill -KILL "$acceld_pid"
    wait "$acceld_pid" || true
  fi
  acceld_pid=""
  # A daemon that had to be killed leaves its FUSE mounts behind: detach them first.
  umount -l "$ACCEL_RUNTIME_DIR/dev/accel" 2>/dev/null || true
  umount -l "$ACCEL_RUNTIME_DIR/sys" 2>/dev/null || true
  rm -rf "$ACCEL_RUNTIME_DIR"
}
trap stop_acceld EXIT
trap 'exit 130' INT TERM # run the EXIT trap on Ctrl-C too

build/bin/acceld --load 'dummy count=2' --load vnpu &
acceld_pid=$!

# Wait until accel0 is listed (acceld loads its drivers before it listens, so the socket
# appearing is nearly enough; asking is exact). Bounded: 100 tries of 0.1 s.
wait_for_accel0() {
  for _ in $(seq 100); do
    kill -0 "$acceld_pid" 2>/dev/null || return 1
    if [[ -S "$ACCEL_RUNTIME_DIR/acceld.sock" ]] &&
      build/bin/accelctl list --json 2>/dev/null | grep -q '"node": "accel0"'; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}
if ! wait_for_accel0; then
  echo "setup-and-run: acceld did not serve accel0 within 10 s (see its log above)" >&2
  exit 1
fi

echo
echo "\$ accelctl list"
build/bin/accelctl list
echo
echo "\$ accelctl info accel0"
build/bin/accelctl info accel0
echo
# RAS: errors raised on the device (root only), then its state, in the readable report and
# in one of the binary formats. Aggregate counts persist in acceld's RAS store across runs.
echo "\$ accelctl ras formats accel0"
build/bin/accelctl ras formats accel0
if ((EUID == 0)); then
  echo
  echo "\$ accelctl ras inject accel0 --component hbm0 --severity corrected --count 3 --address 0x4000"
  build/bin/accelctl ras inject accel0 --component hbm0 --severity corrected --count 3 --address 0x4000
fi
echo
echo "\$ accelctl ras show accel0"
build/bin/accelctl ras show accel0
echo
echo "\$ accelctl ras show accel0 --format cbor | wc -c"
build/bin/accelctl ras show accel0 --format cbor | wc -c
echo
# vnpu (accel2): its parameters, each opcode computed by the device and checked against a
# reference, then (as root) a firmware crash: vnpu-fw is killed, the device logs a fatal event,
# resets, restarts its firmware and serves again.
echo "\$ accelctl vnpu info accel2"
build/bin/accelctl vnpu info accel2
echo
echo "\$ accelctl vnpu selftest accel2"
build/bin/accelctl vnpu selftest accel2
if ((EUID == 0)); then
  echo
  echo "\$ accelctl vnpu fault accel2 fw-crash"
  build/bin/accelctl vnpu fault accel2 fw-crash
  for _ in $(seq 100); do # the recovery is asynchronous: wait for the reset (10 s at most)
    build/bin/accelctl vnpu info accel2 | grep -Eq '^reset_count +[1-9]' && break
    sleep 0.1
  done
  echo "\$ accelctl vnpu selftest accel2    # after the recovery"
  build/bin/accelctl vnpu selftest accel2
  echo
  echo "\$ accelctl ras show accel2"
  build/bin/accelctl ras show accel2
fi
echo
echo "\$ accelctl top --once"
build/bin/accelctl top --once
echo
# The same devices as files (FUSE), if this machine can mount them.
if [[ -e "$ACCEL_RUNTIME_DIR/dev/accel/accel0" ]]; then
  echo "\$ ls -l \$ACCEL_RUNTIME_DIR/dev/accel \$ACCEL_RUNTIME_DIR/dev/accel/by-path"
  ls -l "$ACCEL_RUNTIME_DIR/dev/accel" "$ACCEL_RUNTIME_DIR/dev/accel/by-path"
  echo "\$ cat \$ACCEL_RUNTIME_DIR/sys/class/accel/accel0/{dev,device/driver,ras/hbm0_corrected}"
  cat "$ACCEL_RUNTIME_DIR/sys/class/accel/accel0/"{dev,device/driver,ras/hbm0_corrected}
  echo
fi

stop_acceld
echo "setup-and-run: done; acceld stopped"
