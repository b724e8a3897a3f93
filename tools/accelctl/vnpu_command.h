// vnpu_command.h - `accelctl vnpu ...`: what an operator needs from vnpu, the emulated
// accelerator (uapi/accel/vnpu.h), beyond the generic commands.
//
//   accelctl vnpu info [DEVICE]          every VNPU_PARAM: engines, memory, firmware version,
//                                        capabilities, job timeout, resets
//   accelctl vnpu fault DEVICE TYPE [--fatal] [--address ADDR] [--engine N]     (root)
//                                        TYPE: ecc-ce, ecc-ue, hang, fw-crash, fw-escape, link
//   accelctl vnpu selftest [DEVICE]      each opcode once on small buffers, checked against
//                                        references computed here; exit 1 on a mismatch
//
// Without DEVICE, the first vnpu device acceld lists. selftest needs the socket transport
// (its buffers are mapped with accel_vnpu_bo_map); info and fault work over either.
// docs/vnpu-cli.md has examples of each.
#ifndef ACCEL_TOOLS_ACCELCTL_VNPU_COMMAND_H_
#define ACCEL_TOOLS_ACCELCTL_VNPU_COMMAND_H_

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

struct VnpuFaultOptions {
  std::string device;
  std::string type;                 // ecc-ce, ecc-ue, hang, fw-crash, fw-escape, link
  bool fatal = false;               // link: the link goes down (the device resets)
  std::optional<uint64_t> address;  // ecc-*: a device address (else a scratch buffer's page)
  std::optional<uint32_t> engine;   // hang: which engine (default 0)
};

// The `vnpu` subcommand, its subcommands and their options.
struct VnpuCommandLine {
  CLI::App* vnpu = nullptr;
  CLI::App* info = nullptr;
  CLI::App* fault = nullptr;
  CLI::App* selftest = nullptr;
  std::string info_device;
  std::string selftest_device;
  VnpuFaultOptions fault_options;
};

// Adds `vnpu` and its subcommands to `app`.
void DefineVnpuCommands(CLI::App& app, VnpuCommandLine& cl);

// The `vnpu` subcommand chosen (info, fault, selftest), or nullptr.
const CLI::App* ChosenVnpuCommand(const VnpuCommandLine& cl);

// Runs the chosen `vnpu` subcommand; returns the exit status.
int RunVnpuCommand(const VnpuCommandLine& cl);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_VNPU_COMMAND_H_
