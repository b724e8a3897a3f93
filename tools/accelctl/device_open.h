// device_open.h - how a command finds and opens the device it was given, and says why not.
//
// The device's list record is fetched before the device is opened: it holds what the advice
// after a refused open needs (node mode and group), and a failing LIST tells "acceld is not
// there" apart from "the device is not there" without guessing from one errno. Each failure is
// printed as the one line of failure.h, and the function returns the exit status:
//
//   std::optional<accel::Device> device;
//   accel_device_entry entry{};
//   if (int status = OpenListedDevice("accel0", {}, &device, &entry)) return status;
//   accel_get_cap cap{};
//   if (int rc = device->Ioctl(ACCEL_IOCTL_GET_CAP, cap); rc < 0)
//     return FailDeviceCall("accel0", "GET_CAP", rc);
#ifndef ACCEL_TOOLS_ACCELCTL_DEVICE_OPEN_H_
#define ACCEL_TOOLS_ACCELCTL_DEVICE_OPEN_H_

#include <accel/libaccel.h>
#include <accel/accel.hpp>

#include <optional>
#include <string>
#include <vector>

namespace accelctl {

// "no device accel9; see `accelctl list`".
int FailNoDevice(const std::string& device);

// Exit status 0 when `name` is a device acceld lists (an empty name: when acceld answers);
// else its one-line failure (acceld unreachable, no such device). *entry, when not null,
// receives the device's record.
int FindListedDevice(const std::string& name, accel_device_entry* entry);

// FindListedDevice(), then opens the device into *device. `root_command` names a command that
// needs root whatever the node allows ("ras clear"): a refused open then says so, instead of
// advising membership of the node's group.
int OpenListedDevice(const std::string& name, const std::string& root_command,
                     std::optional<accel::Device>* device, accel_device_entry* entry);

// The one line for an ioctl `call` (e.g. "RAS_QUERY") that failed on an open device: gone,
// daemon unreachable, or the errno.
int FailDeviceCall(const std::string& device, const std::string& call, int negative_errno);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_DEVICE_OPEN_H_
