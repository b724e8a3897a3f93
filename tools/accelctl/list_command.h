// list_command.h - `accelctl list`: every device acceld serves, as a table or as JSON.
#ifndef ACCEL_TOOLS_ACCELCTL_LIST_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_LIST_COMMAND_H_

namespace accelctl {

struct ListOptions {
  bool json = false;  // a JSON array of DeviceEntryJson() objects instead of the table
};

// Prints the devices on stdout; returns the exit status (failures as in failure.h).
int RunList(const ListOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_LIST_COMMAND_H_
