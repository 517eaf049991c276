#include "tests/e2e/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace courtyard::e2e {

namespace {

std::string make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "courtyard-e2e-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  return tmpl;
}

std::string binary_path() {
  char const* bin = std::getenv("COURTYARD_BIN");
  if (!bin || !*bin) throw std::runtime_error("COURTYARD_BIN must name the courtyard binary");
  return bin;
}

constexpr std::string_view kListening = "courtyard listening on http://";

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> const& extra_args, std::chrono::seconds startup_timeout)
    : dir_(make_temp_dir()) {
  std::vector<std::string> args{binary_path(), "--password-hash", "min"};
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end())
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  if (std::find(extra_args.begin(), extra_args.end(), "--db") == extra_args.end())
    args.insert(args.end(), {"--db", "sqlite3://" + dir_ + "/e2e.db"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());

  // The parent's COURTYARD_* variables (test settings) are not passed on: the server
  // would treat unknown ones as configuration errors, and tests must be hermetic.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "COURTYARD_", 10) != 0) env.emplace_back(*e);
  }
  env.push_back(std::string("COURTYARD_ADMIN_EMAIL=") + kAdminEmail);
  env.push_back(std::string("COURTYARD_ADMIN_PASSWORD=") + kAdminPassword);

  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string const log_path = dir_ + "/stderr.log";

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int const rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  }
  stdout_fd_ = out[0];

  std::string seen;
  auto const deadline = std::chrono::steady_clock::now() + startup_timeout;
  while (port_ == 0) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, int(std::min<long long>(left.count(), 200))) <= 0) continue;
    char buf[512];
    ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;  // the server exited before listening
    seen.append(buf, std::size_t(n));
    std::size_t line_end;
    while ((line_end = seen.find('\n')) != std::string::npos) {
      std::string line = seen.substr(0, line_end);
      seen.erase(0, line_end + 1);
      if (line.rfind(kListening, 0) == 0) {
        port_ = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
        break;
      }
    }
  }
  if (port_ == 0) {
    if (!wait(std::chrono::seconds(2))) {
      ::kill(pid_, SIGKILL);
      wait(std::chrono::seconds(10));
    }
    close(stdout_fd_);
    stdout_fd_ = -1;
    std::string const why = "courtyard did not start listening (exit code " + std::to_string(exit_code_.value_or(-1)) +
                            "); stderr:\n" + log();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw std::runtime_error(why);
  }
  // Keep reading stdout so the server can never block on a full pipe.
  stdout_drain_ = std::thread([fd = stdout_fd_] {
    char buf[512];
    while (read(fd, buf, sizeof buf) > 0) {
    }
  });
}

ServerProcess::~ServerProcess() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(10));
  }
  if (stdout_drain_.joinable()) stdout_drain_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ServerProcess::signal(int sig) const { ::kill(pid_, sig); }

bool ServerProcess::running() { return !wait(std::chrono::milliseconds(0)); }

std::optional<int> ServerProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t const r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ServerProcess::log() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace courtyard::e2e
