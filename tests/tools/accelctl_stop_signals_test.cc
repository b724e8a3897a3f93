// accelctl_stop_signals_test.cc - StopSignals turns SIGINT and SIGTERM into a readable
// descriptor instead of killing the process, and leaves them blocked when it goes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "stop_signals.h"

namespace accelctl {
namespace {

bool Blocked(int signo) {
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, signo) == 1;
}

// The signal StopSignals' descriptor has waiting, or 0 when none is there within a second.
int ReadSignal(int fd) {
  pollfd pfd{fd, POLLIN, 0};
  if (poll(&pfd, 1, 1000) != 1) return 0;
  signalfd_siginfo info{};
  if (read(fd, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

TEST(StopSignalsTest, DeliversSigintAndSigtermOnTheDescriptor) {
  StopSignals signals;
  ASSERT_GE(signals.fd(), 0);
  EXPECT_TRUE(Blocked(SIGINT));
  EXPECT_TRUE(Blocked(SIGTERM));
  pollfd idle{signals.fd(), POLLIN, 0};
  EXPECT_EQ(poll(&idle, 1, 0), 0);  // nothing before a signal is sent
  ASSERT_EQ(raise(SIGINT), 0);      // would end the test binary were it not blocked
  EXPECT_EQ(ReadSignal(signals.fd()), SIGINT);
  ASSERT_EQ(raise(SIGTERM), 0);
  EXPECT_EQ(ReadSignal(signals.fd()), SIGTERM);
}

TEST(StopSignalsTest, ClosesItsDescriptorAndKeepsTheSignalsBlocked) {
  int fd;
  {
    StopSignals signals;
    fd = signals.fd();
    ASSERT_GE(fd, 0);
    EXPECT_NE(fcntl(fd, F_GETFD), -1);
  }
  EXPECT_EQ(fcntl(fd, F_GETFD), -1);
  EXPECT_TRUE(Blocked(SIGINT));
  EXPECT_TRUE(Blocked(SIGTERM));
}

}  // namespace
}  // namespace accelctl
