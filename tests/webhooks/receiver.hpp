#pragma once
// A local webhook receiver for the tests: Beast on 127.0.0.1 (port 0 the first time, the same
// port when brought back), one thread per connection. It verifies every delivery with the
// independent verifier, records it, and answers with a status the test chooses.
#include "tests/webhooks/verifier.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webhooks_test {

struct Received {
  std::string id, timestamp, signature, body, type;
  std::vector<std::size_t> signed_by;  // indices into the receiver's secrets
};

class Receiver {
 public:
  ~Receiver() { stop(); }

  void start() {
    namespace asio = boost::asio;
    using tcp = asio::ip::tcp;
    acceptor_ = std::make_unique<tcp::acceptor>(ioc_);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port_);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen();
    port_ = acceptor_->local_endpoint().port();
    running_ = true;
    thread_ = std::thread([this] { accept_loop(); });
  }

  // Stops accepting and closes the port: later connects are refused.
  void stop() {
    if (!running_.exchange(false)) return;
    {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket wake(ioc_);
      wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    thread_.join();
    acceptor_->close();
    std::vector<std::thread> done;
    {
      std::lock_guard lk(mu_);
      done.swap(connections_);
    }
    for (auto& t : done) t.join();
  }

  std::string url(std::string const& path = "/hooks") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_secrets(std::vector<std::string> s) {
    std::lock_guard lk(mu_);
    secrets_ = std::move(s);
  }
  void answer(int status, std::string retry_after = "", int delay_ms = 0) {
    std::lock_guard lk(mu_);
    status_ = status;
    retry_after_ = std::move(retry_after);
    delay_ms_ = delay_ms;
  }
  std::vector<Received> received() const {
    std::lock_guard lk(mu_);
    return got_;
  }
  int max_in_flight() const { return max_in_flight_.load(); }

 private:
  void accept_loop() {
    while (running_) {
      boost::asio::ip::tcp::socket s(ioc_);
      boost::system::error_code ec;
      acceptor_->accept(s, ec);
      if (ec || !running_) break;
      std::lock_guard lk(mu_);
      connections_.emplace_back([this, sock = std::move(s)]() mutable { serve(std::move(sock)); });
    }
  }

  void serve(boost::asio::ip::tcp::socket sock) {
    namespace http = boost::beast::http;
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(sock, buf, req, ec);
    if (!ec) {
      Received r;
      r.id = std::string(req["webhook-id"]);
      r.timestamp = std::string(req["webhook-timestamp"]);
      r.signature = std::string(req["webhook-signature"]);
      r.body = req.body();
      boost::system::error_code jec;
      auto v = boost::json::parse(r.body, jec);
      if (!jec && v.is_object() && v.as_object().contains("type")) r.type = std::string(v.at("type").as_string());
      int status;
      std::string retry_after;
      int delay;
      {
        std::lock_guard lk(mu_);
        r.signed_by = signed_by(secrets_, r.id, r.timestamp, r.body, r.signature);
        status = status_;
        retry_after = retry_after_;
        delay = delay_ms_;
        // Only what was acknowledged counts as received.
        if (status >= 200 && status < 300) got_.push_back(r);
        else ++refused_;
      }
      if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      // Out of flight before the answer leaves: once the sender has it, it may open the next
      // request before this thread is scheduled again (a false "two in flight" under load).
      --in_flight_;
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.set(http::field::content_type, "text/plain");
      if (!retry_after.empty()) res.set(http::field::retry_after, retry_after);
      res.body() = status < 300 ? "thanks" : "not now";
      res.prepare_payload();
      http::write(sock, res, ec);
    } else {
      --in_flight_;
    }
    sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }

  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<std::string> secrets_;
  std::vector<Received> got_;
  int refused_ = 0;
  int status_ = 200;
  std::string retry_after_;
  int delay_ms_ = 0;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

}  // namespace webhooks_test
