/* SPDX-License-Identifier: MIT */
/*
 * libaccel_vnpu.h - libaccel's helpers for vnpu's zero-copy features (socket transport only).
 *
 * Buffer mapping: accel_vnpu_bo_map() exports a BO's sealed memfd (VNPU_IOCTL_BO_EXPORT) and
 * maps it MAP_SHARED: the client then reads and writes the very pages the engines use.
 *
 * The user-mode submission ring (uapi/accel/vnpu.h, "user-mode submission ring"): jobs are
 * queued by writing ring entries, with no ioctl per job. Submitting and reaping are each
 * thread-safe (several producers may submit at once; several threads may reap). A ring in
 * VNPU_RING_POLL mode is served by a polling thread in acceld and needs a doorbell only when
 * that thread went to sleep; without POLL every submission batch rings the doorbell eventfd.
 *
 *   struct accel_handle* h;  accel_open_transport("accel0", ACCEL_TRANSPORT_SOCKET, &h);
 *   struct accel_vnpu_ring* r;  accel_vnpu_ring_create(h, cmdq_id, 256, VNPU_RING_POLL, &r);
 *   struct vnpu_ring_sqe sqe = {.opcode = VNPU_OP_NOP, .user_data = 1};
 *   accel_vnpu_ring_submit(r, &sqe, 1);
 *   struct vnpu_ring_cqe cqe;  accel_vnpu_ring_wait(r, 1000);  accel_vnpu_ring_reap(r, &cqe, 1);
 *   accel_vnpu_ring_destroy(r);
 */
#ifndef ACCEL_LIBACCEL_VNPU_H_
#define ACCEL_LIBACCEL_VNPU_H_

#include <stddef.h>
#include <stdint.h>

#include <accel/libaccel.h>
#include <uapi/accel/vnpu.h>

#if defined(__cplusplus)
extern "C" {
#endif

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* Maps the BO `handle` of `h` (read/write, shared). *size gets its size. -EOPNOTSUPP on a FUSE
 * node handle, or the ioctl's error. Unmap with accel_vnpu_bo_unmap(). */
int accel_vnpu_bo_map(struct accel_handle* h, uint32_t handle, void** addr, uint64_t* size);
int accel_vnpu_bo_unmap(void* addr, uint64_t size);

struct accel_vnpu_ring;

/* A ring of `entries` submissions (a power of two, 2..VNPU_RING_MAX_ENTRIES) on command queue
 * `cmdq_id`; flags VNPU_RING_POLL or 0. */
int accel_vnpu_ring_create(struct accel_handle* h, uint32_t cmdq_id, uint32_t entries,
                           uint32_t flags, struct accel_vnpu_ring** out);
/* Queues up to n entries; returns how many were queued (0 when the ring is full: reap, then
 * retry), or a negative errno. */
int accel_vnpu_ring_submit(struct accel_vnpu_ring* r, const struct vnpu_ring_sqe* sqes, uint32_t n);
/* Takes up to max completions without blocking; returns how many. */
int accel_vnpu_ring_reap(struct accel_vnpu_ring* r, struct vnpu_ring_cqe* out, uint32_t max);
/* Sleeps until a completion is waiting (0), timeout_ms passes (-ETIME; negative: forever), or
 * a signal (-EINTR). */
int accel_vnpu_ring_wait(struct accel_vnpu_ring* r, int timeout_ms);
/* Stops the device side (jobs in flight finish; their completions are dropped) and frees. */
int accel_vnpu_ring_destroy(struct accel_vnpu_ring* r);
uint32_t accel_vnpu_ring_id(const struct accel_vnpu_ring* r);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_LIBACCEL_VNPU_H_ */
