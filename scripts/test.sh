#!/usr/bin/env bash
# scripts/test.sh - install what is needed, build, and run every test through ctest.
#
# Stages (each stops the script on failure, so the exit code is non-zero on any failing test):
#   1. default preset (RelWithDebInfo, g++): unit, end-to-end, uAPI, fuzz-corpus replay and
#      benchmark smoke tests;
#   2. tsan preset: the core's tests (minor allocator stress, RCU, device lifetime, events
#      and the dummy plugin), RAS's own threaded parts (device RAS state, the SQLite store's
#      writer) and vnpu's (scheduler and watchdog, user-mode ring, firmware link, vnpu-fw)
#      under ThreadSanitizer. The gRPC service is left out: Debian's libgrpc is not
#      instrumented, and TSan reports races inside it that are not ours;
#   3. asan preset: every unit and end-to-end test under ASan + UBSan.
# ACCEL_TEST_STAGES selects stages (default "default tsan asan"), e.g. ACCEL_TEST_STAGES=default.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
accel_install_deps

jobs=$(nproc)
stages=${ACCEL_TEST_STAGES:-default tsan asan}
start=$(date +%s)

for stage in $stages; do
  echo "=== stage: $stage ($(($(date +%s) - start)) s so far)"
  case "$stage" in
    default)
      cmake --preset default
      cmake --build --preset default -j "$jobs"
      ctest --preset default -j "$jobs"
      ;;
    tsan)
      cmake --preset tsan
      cmake --build --preset tsan -j "$jobs" --target core_minor_allocator_test core_rcu_test \
        core_device_test core_dispatch_test daemon_module_loader_test daemon_ras_service_test \
        dummy_driver \
        ras_model_test ras_store_test \
        vnpu-fw vnpu_kernels_test vnpu_device_memory_test vnpu_fence_table_test \
        vnpu_scheduler_test vnpu_user_ring_test vnpu_job_validate_test vnpu_config_test \
        vnpu_shared_region_test vnpu_virtqueue_test vnpu_rpmsg_test vnpu_fw_messages_test \
        vnpu_firmware_ras_test vnpu_firmware_test vnpu_firmware_process_test
      # vnpu's own threaded code: its scheduler, ring, firmware link and firmware process. Its
      # end-to-end tests need acceld, which links the uninstrumented libgrpc: not built here.
      ctest --preset tsan -j "$jobs" -L '^(core|daemon|tsan|vnpu)$' -LE '^e2e$'
      ;;
    asan)
      cmake --preset asan
      cmake --build --preset asan -j "$jobs"
      ctest --preset asan -j "$jobs" -LE '^(bench-smoke)$'
      ;;
    *)
      echo "unknown stage '$stage' (known: default tsan asan)" >&2
      exit 2
      ;;
  esac
done
echo "=== all stages passed in $(($(date +%s) - start)) s"
