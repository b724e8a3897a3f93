/* A program outside the accel tree: built only from the installed headers and libaccel. */
#include <accel/libaccel.h>
#include <stdio.h>
#include <string.h>
#include <uapi/accel/accel.h>

int main(void) {
  struct accel_handle* h = NULL;
  int rc = accel_open("accel0", &h);
  if (rc < 0) {
    fprintf(stderr, "accel_open: %s\n", accel_strerror(rc));
    return 1;
  }
  struct accel_version v;
  memset(&v, 0, sizeof(v));
  rc = accel_ioctl(h, ACCEL_IOCTL_VERSION, &v);
  accel_close(h);
  if (rc < 0) {
    fprintf(stderr, "VERSION: %s\n", accel_strerror(rc));
    return 1;
  }
  printf("c: %s %u.%u.%u\n", v.name, v.version_major, v.version_minor, v.version_patchlevel);
  return strcmp(v.name, "dummy") == 0 ? 0 : 1;
}
