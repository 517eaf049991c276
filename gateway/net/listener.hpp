#pragma once
// Accepts connections and hands each to an HttpSession on one I/O thread's io_context, each
// in turn. Over
// config.max_connections a connection is accepted, answered 503 and closed, so clients get
// a clear answer instead of a silent backlog.
#include "gateway/net/http_session.hpp"
#include "gateway/net/shared_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace courtyard::gateway::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Accepts on `ioc`; each connection lives on one of `sessions`, in turn.
  Listener(boost::asio::io_context& ioc, std::vector<boost::asio::io_context*> sessions, SharedState& state);

  // Binds and listens; returns the bound endpoint (port 0 picks a free one).
  // Throws boost::system::system_error.
  boost::asio::ip::tcp::endpoint open(boost::asio::ip::tcp::endpoint const& endpoint);
  void run();
  // Closes the acceptor; thread-safe.
  void stop();

 private:
  void accept();
  void on_accept(beast::error_code ec, ConnSocket socket);

  std::vector<boost::asio::io_context*> sessions_;
  std::size_t next_ = 0;  // on the acceptor's strand
  SharedState& state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
};

}  // namespace courtyard::gateway::net
