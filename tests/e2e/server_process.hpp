#pragma once
// Runs the real `courtyard` binary (path in COURTYARD_BIN) as a child process on a fresh
// SQLite file in a temp directory, listening on 127.0.0.1 with a port the kernel picks.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace courtyard::e2e {

inline constexpr char const* kAdminEmail = "admin@e2e.example.com";
inline constexpr char const* kAdminPassword = "e2e-admin-password";

class ServerProcess {
 public:
  // Starts the binary with `--listen 127.0.0.1:0 --db <temp> --password-hash min` and the
  // admin environment, plus `extra_args` (which may name its own `--db`, e.g. one several
  // instances share, or its own `--listen`); waits until it prints its listening line.
  // Throws std::runtime_error (with the server's stderr) when it does not come up.
  explicit ServerProcess(std::vector<std::string> const& extra_args = {},
                         std::chrono::seconds startup_timeout = std::chrono::seconds(60));
  ~ServerProcess();
  ServerProcess(ServerProcess const&) = delete;
  ServerProcess& operator=(ServerProcess const&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  bool running();
  // The exit code (or 128 + signal) once the process has ended; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // What the server wrote to stderr so far.
  std::string log() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  unsigned short port_ = 0;
  int stdout_fd_ = -1;
  std::thread stdout_drain_;
};

}  // namespace courtyard::e2e
