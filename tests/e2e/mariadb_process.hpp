#pragma once
// A private MariaDB server for the outage test: initialised in a temp directory
// (mariadb-install-db), listening on a loopback port picked once, so it can be SIGKILLed
// and started again on the same data directory and port. Binaries: MARIADBD and
// MARIADB_INSTALL_DB (CMake passes the ones it found), else the Debian paths.
#include <sys/types.h>

#include <chrono>
#include <string>

namespace courtyard::e2e {

class MariaDbProcess {
 public:
  MariaDbProcess();   // initialises the data directory and starts the server
  ~MariaDbProcess();  // kills it and removes the directory
  MariaDbProcess(MariaDbProcess const&) = delete;
  MariaDbProcess& operator=(MariaDbProcess const&) = delete;

  // mysql://root@127.0.0.1:PORT/ (no schema)
  std::string url() const;
  unsigned short port() const { return port_; }
  // Starts mariadbd on the data directory and port; waits until it answers.
  void start(std::chrono::seconds timeout = std::chrono::seconds(90));
  // SIGKILL, then waits for the process to end.
  void kill9();
  bool answering() const;

 private:
  std::string dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace courtyard::e2e
