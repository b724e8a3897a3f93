/* SPDX-License-Identifier: MIT */
/*
 * vnpu.h - uAPI of vnpu, accel's emulated compute accelerator.
 *
 * DOC: overview
 *
 * vnpu is to compute accelerators what vkms/vgem are to display: a device whose "hardware" is
 * emulated on the CPU, complete enough to write and test a runtime against. Its uAPI follows
 * what upstream accel drivers settled on (ivpu, amdxdna, qaic): GET_PARAM, buffer objects,
 * command queues, SUBMIT returning a fence, WAIT on fences. Every command lives in the driver
 * range (nr 0x40..0x9f) and obeys accel.h's size rules.
 *
 * Transports (DESIGN.md): over a FUSE node only the fixed struct travels, so every array is
 * bounded and inline (16 BO handles per job, 16 fences per wait). Buffer data moves by
 * pread(2)/pwrite(2) on the node at the BO's fake offset (BO_INFO; >= 2^32, as DRM's mmap
 * offsets). Over the socket, BO_EXPORT passes the BO's sealed memfd (SCM_RIGHTS) and the client
 * maps it with no copy; RING_CREATE gives the user-mode submission ring the same way. Over FUSE
 * both answer -EOPNOTSUPP.
 *
 * Handles (BOs, command queues, fences) are per open file, as GEM handles are: a handle of one
 * file means nothing in another (-ENOENT for BOs and queues, -EINVAL for fences).
 *
 * Jobs: opcode + up to 16 BO handles + 8 u64 parameters. Offsets and lengths are in bytes and
 * are checked against the BOs at submit (-EINVAL, -ERANGE for out-of-bounds); a job that reads
 * a poisoned page fails with VNPU_JOB_MEMORY_ERROR when it runs.
 *
 *   opcode            bos              params
 *   NOP               -                -
 *   COPY              src, dst         [0] src_off [1] dst_off [2] bytes
 *   AXPY              x, y             [0] n [1] alpha (fp32 bits) [2] x_off [3] y_off: y = a*x + y
 *   REDUCE_SUM        x, out           [0] n [1] x_off [2] out_off: out(fp32) = sum(x)
 *   CRC32C            data, out        [0] len [1] data_off [2] out_off [3] seed: out(u32)
 *   GEMM              A, B, C          [0] M [1] N [2] K [3] alpha bits | beta bits << 32
 *                                      [4] a_off [5] b_off [6] c_off
 *                                      C(MxN) = alpha * A(MxK) * B(KxN) + beta * C, row-major
 *   SPIN              -                [0] ns to spin (0: until the engine is reset): a job
 *                                      that hangs on purpose, to exercise hang detection
 */
#ifndef ACCEL_UAPI_VNPU_H_
#define ACCEL_UAPI_VNPU_H_

#include "accel.h"

#if defined(__cplusplus)
extern "C" {
#endif

/* RAS components, in the order KEY_VAL_32 numbers them (the same five as dummy). */
#define VNPU_COMPONENT_HBM0 0
#define VNPU_COMPONENT_SRAM 1
#define VNPU_COMPONENT_PCIE 2
#define VNPU_COMPONENT_FW 3
#define VNPU_COMPONENT_COMPUTE 4
#define VNPU_NUM_COMPONENTS 5

/* ---- GET_PARAM ---------------------------------------------------------------------------- */

#define VNPU_PARAM_DEVICE_ID 0      /* PCI-style device id */
#define VNPU_PARAM_NUM_ENGINES 1    /* compute engines */
#define VNPU_PARAM_MEMORY_SIZE 2    /* device memory, bytes (the BO limit) */
#define VNPU_PARAM_MEMORY_USED 3    /* bytes held by BOs of every file */
#define VNPU_PARAM_FW_VERSION 4     /* (major << 32) | (minor << 16) | patch; 0 while down */
#define VNPU_PARAM_CAPABILITIES 5   /* VNPU_CAP_* */
#define VNPU_PARAM_JOB_TIMEOUT_MS 6 /* default per-job timeout */
#define VNPU_PARAM_RESET_COUNT 7    /* device resets since load */
#define VNPU_PARAM_MAX_BO_SIZE 8

#define VNPU_CAP_FW_PROCESS (1u << 0) /* the firmware runs as its own process (vnpu-fw) */
#define VNPU_CAP_USER_RING (1u << 1)  /* RING_CREATE (socket transport) */
#define VNPU_CAP_FAULT_INJECT (1u << 2)

/**
 * struct vnpu_get_param - read one parameter.
 * @param: VNPU_PARAM_*; unknown is -EINVAL
 * @pad: must be zero
 * @value: out
 */
struct vnpu_get_param {
  __u32 param;
  __u32 pad;
  __u64 value;
};

/* ---- buffer objects ------------------------------------------------------------------------ */

#define VNPU_BO_OFFSET_SHIFT 32 /* fake offset of handle h: (__u64)h << 32 */

/**
 * struct vnpu_bo_create - a buffer object, zero-filled, backed by a sealed memfd.
 * @size: in, bytes (rounded up to 4 KiB); 0 or above MAX_BO_SIZE is -EINVAL, past the
 *        device's memory limit -ENOMEM
 * @flags: must be zero
 * @handle: out, this file's handle (>= 1)
 * @device_address: out, where the BO sits in the device's address space (what RAS events and
 *        retired pages name)
 */
struct vnpu_bo_create {
  __u64 size;
  __u32 flags;
  __u32 handle;
  __u64 device_address;
};

/**
 * struct vnpu_bo_info - what a handle refers to.
 * @handle: in
 * @pad: must be zero
 * @size: out, bytes
 * @offset: out, the fake offset for pread/pwrite on the FUSE node
 * @device_address: out
 */
struct vnpu_bo_info {
  __u32 handle;
  __u32 pad;
  __u64 size;
  __u64 offset;
  __u64 device_address;
};

/**
 * struct vnpu_bo_destroy - drop a handle. Jobs still using the BO keep it alive until they
 * finish (as GEM references do); its memory is returned then.
 */
struct vnpu_bo_destroy {
  __u32 handle;
  __u32 pad;
};

/**
 * struct vnpu_bo_export - the BO's memfd, for a zero-copy mapping (socket transport only;
 * -EOPNOTSUPP over FUSE). The memfd is sealed against shrinking and growing, so the client can
 * map it MAP_SHARED and the engines can never be made to fault on it.
 * @handle: in
 * @flags: must be zero
 * @fd: out, a new descriptor in the caller's process (close it when done)
 * @pad: zero
 */
struct vnpu_bo_export {
  __u32 handle;
  __u32 flags;
  __s32 fd;
  __u32 pad;
};

/* ---- command queues, jobs, fences ---------------------------------------------------------- */

#define VNPU_PRIORITY_LOW 0
#define VNPU_PRIORITY_NORMAL 1
#define VNPU_PRIORITY_HIGH 2
#define VNPU_PRIORITY_COUNT 3

/**
 * struct vnpu_cmdq_create - a command queue; its jobs are scheduled at its priority.
 * @priority: VNPU_PRIORITY_*; HIGH needs root (-EACCES), as realtime priority does in DRM
 * @flags: must be zero
 * @cmdq_id: out
 * @pad: zero
 */
struct vnpu_cmdq_create {
  __u32 priority;
  __u32 flags;
  __u32 cmdq_id;
  __u32 pad;
};

/**
 * struct vnpu_cmdq_destroy - jobs of the queue not yet running are aborted
 * (VNPU_JOB_ABORTED); running ones finish.
 */
struct vnpu_cmdq_destroy {
  __u32 cmdq_id;
  __u32 pad;
};

#define VNPU_OP_NOP 0
#define VNPU_OP_COPY 1
#define VNPU_OP_AXPY 2
#define VNPU_OP_REDUCE_SUM 3
#define VNPU_OP_CRC32C 4
#define VNPU_OP_GEMM 5
#define VNPU_OP_SPIN 6
#define VNPU_OP_COUNT 7

#define VNPU_MAX_JOB_BOS 16
#define VNPU_MAX_JOB_PARAMS 8

/**
 * struct vnpu_submit - queue one job.
 * @cmdq_id: in
 * @opcode: VNPU_OP_*; unknown is -EINVAL
 * @num_bos: handles used in @bo_handles (the opcode's count; others must be zero)
 * @flags: must be zero
 * @bo_handles: in
 * @params: in, as the opcode table says
 * @timeout_ms: in, 0: the device default; a job running longer is a hang: its engine is reset
 *        and the job ends VNPU_JOB_TIMED_OUT
 * @pad: zero
 * @fence: out, this file's fence for the job (>= 1, increasing)
 */
struct vnpu_submit {
  __u32 cmdq_id;
  __u32 opcode;
  __u32 num_bos;
  __u32 flags;
  __u32 bo_handles[VNPU_MAX_JOB_BOS];
  __u64 params[VNPU_MAX_JOB_PARAMS];
  __u32 timeout_ms;
  __u32 pad;
  __u64 fence;
};

/* Job status, per fence. */
#define VNPU_JOB_PENDING 0 /* queued or running */
#define VNPU_JOB_SUCCESS 1
#define VNPU_JOB_ABORTED 2      /* device reset (firmware crash, link down) or queue destroyed */
#define VNPU_JOB_TIMED_OUT 3    /* ran past its timeout: a hang; the engine was reset */
#define VNPU_JOB_MEMORY_ERROR 4 /* read an uncorrectable (poisoned) page */

#define VNPU_MAX_WAIT_FENCES 16
#define VNPU_WAIT_ALL (1u << 0) /* all fences, not any one */

/**
 * struct vnpu_wait - sleep until fences signal (a job ends, whatever its status).
 * @fences: in, this file's fences; unknown or not yet issued is -EINVAL
 * @num_fences: 1..16
 * @flags: VNPU_WAIT_*
 * @timeout_ns: relative; 0 polls, negative waits forever. -ETIME when it passes
 * @status: out, VNPU_JOB_* of each fence (also on -ETIME)
 * @first_signaled: out, index of the first signaled fence (any-mode), else 0
 * @pad: zero
 * Sleeps without holding a transport worker; interrupted by a signal (-EINTR), woken with
 * -ENODEV when the device is unplugged.
 */
struct vnpu_wait {
  __u64 fences[VNPU_MAX_WAIT_FENCES];
  __u32 num_fences;
  __u32 flags;
  __s64 timeout_ns;
  __u32 status[VNPU_MAX_WAIT_FENCES];
  __u32 first_signaled;
  __u32 pad;
};

/* ---- faults (root only) -------------------------------------------------------------------- */

#define VNPU_FAULT_ECC_CORRECTABLE 1   /* single-bit error in a BO's page: corrected, counted */
#define VNPU_FAULT_ECC_UNCORRECTABLE 2 /* poison: jobs reading the page fail; page retired */
#define VNPU_FAULT_ENGINE_HANG 3       /* the engine's next job hangs until the watchdog acts */
#define VNPU_FAULT_FW_CRASH 4          /* SIGKILL the firmware process */
#define VNPU_FAULT_LINK_ERROR 5        /* PCIe-style link error; FATAL: link down, device reset */
#define VNPU_FAULT_FW_ESCAPE 6 /* the firmware makes a syscall its sandbox forbids: killed, reset \
                                */

#define VNPU_FAULT_FATAL (1u << 0)   /* LINK_ERROR: the link goes down */
#define VNPU_FAULT_ADDRESS (1u << 1) /* ECC: @address is a device address (not @handle+@offset) */

/**
 * struct vnpu_inject_fault - make a fault happen (ACCEL_IOCTL_RAS_INJECT reaches the same
 * faults by component and severity; this names them directly).
 * @type: VNPU_FAULT_*
 * @flags: VNPU_FAULT_*
 * @handle: ECC: the BO (unless VNPU_FAULT_ADDRESS)
 * @engine: ENGINE_HANG: which engine
 * @address: ECC: byte offset in the BO, or the device address with VNPU_FAULT_ADDRESS
 * @seqno: out, the RAS event's seqno once logged (0 when the firmware reports it later)
 */
struct vnpu_inject_fault {
  __u32 type;
  __u32 flags;
  __u32 handle;
  __u32 engine;
  __u64 address;
  __u64 seqno;
};

/* ---- user-mode submission ring (socket transport) ------------------------------------------ */

#define VNPU_RING_POLL                                                   \
  (1u << 0) /* the device polls the submission queue (no doorbell needed \
             * while it is awake; see VNPU_RING_NEED_WAKEUP) */
#define VNPU_RING_MAX_ENTRIES 4096

/**
 * struct vnpu_ring_create - shared submission/completion rings for one command queue.
 * @entries: in, a power of two, 2..VNPU_RING_MAX_ENTRIES (the completion ring has twice as many)
 * @flags: VNPU_RING_*
 * @cmdq_id: in, the queue whose priority the ring's jobs get
 * @ring_id: out
 * @ring_fd: out, memfd holding struct vnpu_ring_layout and the entries; map @ring_size bytes
 * @doorbell_fd: out, eventfd: write 1 after publishing submissions
 * @completion_fd: out, eventfd the device signals after posting completions, when the
 *        completion ring's flags ask for it (VNPU_RING_CQ_WANT_WAKEUP)
 * @pad: zero
 * @ring_size: out
 * Over FUSE: -EOPNOTSUPP (no fd passing).
 */
struct vnpu_ring_create {
  __u32 entries;
  __u32 flags;
  __u32 cmdq_id;
  __u32 ring_id;
  __s32 ring_fd;
  __s32 doorbell_fd;
  __s32 completion_fd;
  __u32 pad;
  __u64 ring_size;
};

struct vnpu_ring_destroy {
  __u32 ring_id;
  __u32 pad;
};

/*
 * Layout of the ring memfd. Indices are free-running __u32s; entry i sits at i & mask. The
 * producer writes entries, then publishes its tail with a release store; the consumer reads the
 * tail with an acquire load, consumes, then releases its head.
 *   submission: the client produces (tail), the device consumes (head)
 *   completion: the device produces (tail), the client consumes (head)
 */
#define VNPU_RING_NEED_WAKEUP (1u << 0) /* sq.flags: the poller sleeps; ring the doorbell */
/* sq.flags: the device found the indices impossible (the completion ring's head ahead of its
 * tail, or more behind it than it holds) and serves the ring no more; destroy it. A full
 * completion ring is not broken: the device waits (ring the doorbell after reaping to resume
 * at once; it also looks again by itself, every 64 ms at the latest). */
#define VNPU_RING_BROKEN (1u << 1)
/* Rings one user may have on one device, over all its files (each file: 16). */
#define VNPU_RING_MAX_PER_UID 64
#define VNPU_RING_CQ_WANT_WAKEUP (1u << 0) /* cq.flags: signal completion_fd after posting */

struct vnpu_ring_indices {
  __u32 head;
  __u32 tail;
  __u32 mask;
  __u32 flags;
  __u32 dropped; /* cq: completions lost because the client did not reap (never expected) */
  __u32 pad[11]; /* one 64-byte cache line per side */
};

struct vnpu_ring_sqe {
  __u32 opcode;
  __u32 num_bos;
  __u32 flags;
  __u32 timeout_ms;
  __u64 user_data; /* returned in the completion */
  __u32 bo_handles[VNPU_MAX_JOB_BOS];
  __u64 params[VNPU_MAX_JOB_PARAMS];
  __u64 reserved;
};

struct vnpu_ring_cqe {
  __u64 user_data;
  __u64 fence;  /* the job's fence (WAIT works on it too); 0 when the job was refused */
  __s32 result; /* 0, or the negative errno SUBMIT would have returned */
  __u32 status; /* VNPU_JOB_* */
  __u64 reserved;
};

struct vnpu_ring_layout {
  struct vnpu_ring_indices sq;
  struct vnpu_ring_indices cq;
  __u32 sq_entries;
  __u32 cq_entries;
  __u32 sqe_offset; /* from the start of the mapping */
  __u32 cqe_offset;
  __u32 pad[12];
};

/* ---- numbers ------------------------------------------------------------------------------- */

#define VNPU_GET_PARAM 0x00
#define VNPU_BO_CREATE 0x01
#define VNPU_BO_INFO 0x02
#define VNPU_BO_DESTROY 0x03
#define VNPU_BO_EXPORT 0x04
#define VNPU_CMDQ_CREATE 0x05
#define VNPU_CMDQ_DESTROY 0x06
#define VNPU_SUBMIT 0x07
#define VNPU_WAIT 0x08
#define VNPU_INJECT_FAULT 0x09
#define VNPU_RING_CREATE 0x0a
#define VNPU_RING_DESTROY 0x0b

#define VNPU_IOCTL_GET_PARAM ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_GET_PARAM, struct vnpu_get_param)
#define VNPU_IOCTL_BO_CREATE ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_BO_CREATE, struct vnpu_bo_create)
#define VNPU_IOCTL_BO_INFO ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_BO_INFO, struct vnpu_bo_info)
#define VNPU_IOCTL_BO_DESTROY \
  ACCEL_IOW(ACCEL_COMMAND_BASE + VNPU_BO_DESTROY, struct vnpu_bo_destroy)
#define VNPU_IOCTL_BO_EXPORT ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_BO_EXPORT, struct vnpu_bo_export)
#define VNPU_IOCTL_CMDQ_CREATE \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_CMDQ_CREATE, struct vnpu_cmdq_create)
#define VNPU_IOCTL_CMDQ_DESTROY \
  ACCEL_IOW(ACCEL_COMMAND_BASE + VNPU_CMDQ_DESTROY, struct vnpu_cmdq_destroy)
#define VNPU_IOCTL_SUBMIT ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_SUBMIT, struct vnpu_submit)
#define VNPU_IOCTL_WAIT ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_WAIT, struct vnpu_wait)
#define VNPU_IOCTL_INJECT_FAULT \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_INJECT_FAULT, struct vnpu_inject_fault)
#define VNPU_IOCTL_RING_CREATE \
  ACCEL_IOWR(ACCEL_COMMAND_BASE + VNPU_RING_CREATE, struct vnpu_ring_create)
#define VNPU_IOCTL_RING_DESTROY \
  ACCEL_IOW(ACCEL_COMMAND_BASE + VNPU_RING_DESTROY, struct vnpu_ring_destroy)

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L)
#if defined(__cplusplus)
#define VNPU_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define VNPU_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif
VNPU_STATIC_ASSERT(sizeof(struct vnpu_get_param) == 16, "get_param is 16 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_bo_create) == 24, "bo_create is 24 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_bo_info) == 32, "bo_info is 32 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_bo_destroy) == 8, "bo_destroy is 8 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_bo_export) == 16, "bo_export is 16 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_cmdq_create) == 16, "cmdq_create is 16 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_cmdq_destroy) == 8, "cmdq_destroy is 8 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_submit) == 160, "submit is 160 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_wait) == 216, "wait is 216 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_inject_fault) == 32, "inject_fault is 32 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_create) == 40, "ring_create is 40 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_destroy) == 8, "ring_destroy is 8 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_indices) == 64, "one cache line per ring side");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_sqe) == 160, "sqe is 160 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_cqe) == 32, "cqe is 32 bytes");
VNPU_STATIC_ASSERT(sizeof(struct vnpu_ring_layout) == 192, "layout header is 192 bytes");
VNPU_STATIC_ASSERT(VNPU_IOCTL_GET_PARAM == 0xc0106440u, "_IOWR('d',0x40,16)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_BO_CREATE == 0xc0186441u, "_IOWR('d',0x41,24)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_BO_INFO == 0xc0206442u, "_IOWR('d',0x42,32)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_BO_DESTROY == 0x40086443u, "_IOW('d',0x43,8)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_BO_EXPORT == 0xc0106444u, "_IOWR('d',0x44,16)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_CMDQ_CREATE == 0xc0106445u, "_IOWR('d',0x45,16)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_CMDQ_DESTROY == 0x40086446u, "_IOW('d',0x46,8)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_SUBMIT == 0xc0a06447u, "_IOWR('d',0x47,160)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_WAIT == 0xc0d86448u, "_IOWR('d',0x48,216)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_INJECT_FAULT == 0xc0206449u, "_IOWR('d',0x49,32)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_RING_CREATE == 0xc028644au, "_IOWR('d',0x4a,40)");
VNPU_STATIC_ASSERT(VNPU_IOCTL_RING_DESTROY == 0x4008644bu, "_IOW('d',0x4b,8)");
#undef VNPU_STATIC_ASSERT
#endif

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_UAPI_VNPU_H_ */
