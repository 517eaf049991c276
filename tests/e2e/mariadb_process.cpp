#include "tests/e2e/mariadb_process.hpp"

#include "db/database.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace courtyard::e2e {

namespace {

std::string tool(char const* env_name, char const* fallback) {
  char const* v = std::getenv(env_name);
  return v && *v ? v : fallback;
}

std::string read_file(std::string const& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

pid_t spawn(std::vector<std::string> args, std::string const& log_path) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A port the kernel considers free now (bound and released at once).
unsigned short free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    throw std::runtime_error("cannot pick a port");
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

MariaDbProcess::MariaDbProcess() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "courtyard-mariadb-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::filesystem::create_directory(dir_ + "/data");
  auto const install = tool("MARIADB_INSTALL_DB", "mariadb-install-db");
  pid_t pid = spawn({install, "--no-defaults", "--datadir=" + dir_ + "/data", "--user=" + std::string(getenv("USER") ? getenv("USER") : "root"),
                     "--auth-root-authentication-method=normal", "--skip-test-db"},
                    dir_ + "/install.log");
  if (wait_exit(pid) != 0) {
    auto why = read_file(dir_ + "/install.log");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw std::runtime_error("mariadb-install-db failed:\n" + why);
  }
  port_ = free_port();
  start();
}

MariaDbProcess::~MariaDbProcess() {
  if (pid_ > 0) kill9();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string MariaDbProcess::url() const { return "mysql://root@127.0.0.1:" + std::to_string(port_) + "/"; }

bool MariaDbProcess::answering() const {
  try {
    db::Database probe(url() + "?connect_timeout=2", 1);
    return probe.ping();
  } catch (std::exception const&) {
    return false;
  }
}

void MariaDbProcess::start(std::chrono::seconds timeout) {
  if (pid_ > 0) throw std::logic_error("mariadbd is already running");
  char const* user = getenv("USER");
  // As deploy/mariadb-local.sh: fast rather than durable against power loss; a killed
  // process loses nothing (the log is written to the OS at each commit).
  pid_ = spawn({tool("MARIADBD", "/usr/sbin/mariadbd"), "--no-defaults", "--datadir=" + dir_ + "/data",
                "--user=" + std::string(user ? user : "root"), "--socket=" + dir_ + "/mysqld.sock",
                "--pid-file=" + dir_ + "/mysqld.pid", "--port=" + std::to_string(port_), "--bind-address=127.0.0.1",
                "--skip-name-resolve", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0", "--innodb-buffer-pool-size=64M", "--max-connections=200"},
               dir_ + "/error.log");
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (!answering()) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mariadbd exited during start:\n" + read_file(dir_ + "/error.log"));
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("mariadbd did not answer on port " + std::to_string(port_) + ":\n" +
                               read_file(dir_ + "/error.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void MariaDbProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(pid_);
  pid_ = -1;
}

}  // namespace courtyard::e2e
