#include "gateway/net/listener.hpp"

#include "gateway/net/http_session.hpp"
#include "gateway/net/message.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <utility>

namespace courtyard::gateway::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Answers one connection over the cap with 503 and closes it, briefly draining what the
// client sends so the answer is not lost to a reset.
class OverCapacity : public std::enable_shared_from_this<OverCapacity> {
 public:
  explicit OverCapacity(tcp::socket&& socket)
      : stream_(std::move(socket)),
        response_(to_beast(net_problem(503, "overloaded", "Service unavailable",
                                       "too many open connections; retry shortly", new_request_id()),
                           11, false, false)) {}

  void run() {
    stream_.expires_after(std::chrono::seconds(2));
    http::async_write(stream_, response_, beast::bind_front_handler(&OverCapacity::on_write, shared_from_this()));
  }

 private:
  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    drain({}, 0);
  }
  void drain(beast::error_code ec, std::size_t) {
    if (ec) return;
    stream_.async_read_some(asio::buffer(scratch_), beast::bind_front_handler(&OverCapacity::drain, shared_from_this()));
  }

  beast::tcp_stream stream_;
  BeastResponse response_;
  char scratch_[512];
};

}  // namespace

Listener::Listener(asio::io_context& ioc, std::vector<asio::io_context*> sessions, SharedState& state)
    : sessions_(std::move(sessions)), state_(state), acceptor_(asio::make_strand(ioc)), retry_(acceptor_.get_executor()) {
  if (sessions_.empty()) sessions_.push_back(&ioc);
}

tcp::endpoint Listener::open(tcp::endpoint const& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (state_.config().reuse_port) acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void Listener::run() { asio::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&Listener::accept, shared_from_this())); }

void Listener::stop() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->retry_.cancel();
  });
}

void Listener::accept() {
  if (!acceptor_.is_open()) return;
  auto& ioc = *sessions_[next_++ % sessions_.size()];
  acceptor_.async_accept(ioc, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, ConnSocket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning on a failing accept.
    spdlog::warn("accept failed: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(50));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }

  auto const open = state_.metrics().open_connections.load(std::memory_order_relaxed);
  if (state_.stopping()) {
    beast::error_code ignored;
    socket.close(ignored);
  } else if (open >= static_cast<std::int64_t>(state_.config().max_connections)) {
    std::make_shared<OverCapacity>(std::move(socket))->run();
  } else {
    std::make_shared<HttpSession>(std::move(socket), state_)->run();
  }
  accept();
}

}  // namespace courtyard::gateway::net
