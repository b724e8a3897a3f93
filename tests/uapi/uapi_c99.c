/* Compiles every uAPI header as plain C: the contract must not need C++ or GNU C. */
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <uapi/accel/vnpu.h>

/* C99 has no _Static_assert; a negative array size fails the build the same way. */
typedef char check_version_size[sizeof(struct accel_version) == 192 ? 1 : -1];
typedef char check_get_cap_size[sizeof(struct accel_get_cap) == 16 ? 1 : -1];
typedef char check_ras_query_size[sizeof(struct accel_ras_query) == 32 ? 1 : -1];
typedef char check_get_cap_nr[ACCEL_IOCTL_GET_CAP == 0xc010640cu ? 1 : -1];
typedef char check_drm_version_size[sizeof(struct accel_drm_version) == 64 ? 1 : -1];
typedef char check_drm_version_nr[ACCEL_IOCTL_DRM_VERSION == 0xc0406400u ? 1 : -1];
typedef char check_vnpu_submit_size[sizeof(struct vnpu_submit) == 160 ? 1 : -1];
typedef char check_vnpu_wait_size[sizeof(struct vnpu_wait) == 216 ? 1 : -1];
typedef char check_vnpu_sqe_size[sizeof(struct vnpu_ring_sqe) == 160 ? 1 : -1];
typedef char check_vnpu_submit_nr[VNPU_IOCTL_SUBMIT == 0xc0a06447u ? 1 : -1];
typedef char check_ras_bits[ACCEL_CAP_RAS_ASN1 == 0x80 && ACCEL_CAP_RAS_CPER == 0x200 ? 1 : -1];

int accel_uapi_c99_probe(void);
int accel_uapi_c99_probe(void) {
  struct accel_ras_query q = {0};
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  return (int)q.format + (int)ACCEL_RAS_KV32_KEY(1, 2, 3);
}
