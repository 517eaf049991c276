#include "services/webhooks/outbound.hpp"

#include "services/webhooks/url_guard.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <exception>

namespace courtyard::webhooks::outbound {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxResponseBody = 64 * 1024;

// One client context for the process: the system's trust store, TLS 1.2 or later, peer
// certificates verified (the host name is checked per connection).
ssl::context& tls_context() {
  static ssl::context ctx = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    c.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    return c;
  }();
  return ctx;
}

std::string describe(boost::system::error_code const& ec, std::string_view during, std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted)
    return std::string(during) + " timed out (the attempt's limit is " + std::to_string(timeout.count()) + " ms)";
  return std::string(during) + " failed: " + ec.message();
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, Request const& rq, guard::Target const& t, Result& out) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, t.target, 11};
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::user_agent, "Courtyard-Webhooks/1");
  req.set(bhttp::field::content_type, "application/json");
  req.set(bhttp::field::connection, "close");
  for (auto const& [k, v] : rq.headers) req.set(k, v);
  req.body() = rq.body;
  req.prepare_payload();
  auto [wec, written] = co_await bhttp::async_write(stream, req, kTuple);
  if (wec) {
    out.error = describe(wec, "sending the request", rq.timeout);
    co_return;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
  if (rec && !(rec == bhttp::error::body_limit && parser.is_header_done())) {
    out.error = describe(rec, "reading the response", rq.timeout);
    co_return;
  }
  auto const& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  if (auto it = res.find(bhttp::field::retry_after); it != res.end()) out.retry_after = std::string(it->value());
}

asio::awaitable<void> run(Request const& rq, guard::Target const& t, Result& out, Clock::time_point deadline) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  asio::steady_timer limit(ex, deadline);
  limit.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  auto [ec, results] = co_await resolver.async_resolve(t.host, t.port, kTuple);
  limit.cancel();
  if (ec) {
    out.error = describe(ec, "resolving " + t.host, rq.timeout);
    co_return;
  }
  std::vector<tcp::endpoint> addresses;
  for (auto const& entry : results) {
    auto why = guard::blocked(entry.endpoint().address(), rq.allow_loopback);
    if (!why.empty()) {
      out.error = t.host + " resolves to " + why + " (" + entry.endpoint().address().to_string() + "); not connecting";
      co_return;
    }
    addresses.push_back(entry.endpoint());
  }
  if (addresses.empty()) {
    out.error = "resolving " + t.host + " gave no address";
    co_return;
  }
  beast::tcp_stream tcp_stream(ex);
  tcp_stream.expires_at(deadline);
  auto [cec, connected] = co_await tcp_stream.async_connect(addresses, kTuple);
  if (cec) {
    out.error = describe(cec, "connecting to " + t.host_header, rq.timeout);
    co_return;
  }
  if (!t.tls) {
    co_await exchange(tcp_stream, rq, t, out);
    boost::system::error_code ignored;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), tls_context());
  boost::system::error_code not_ip;
  asio::ip::make_address(t.host, not_ip);
  if (not_ip && !SSL_set_tlsext_host_name(tls.native_handle(), t.host.c_str())) {  // SNI names hosts, not addresses
    out.error = "TLS: could not set the server name";
    co_return;
  }
  tls.set_verify_callback(ssl::host_name_verification(t.host));
  auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, kTuple);
  if (hec) {
    out.error = describe(hec, "the TLS handshake with " + t.host, rq.timeout);
    co_return;
  }
  co_await exchange(tls, rq, t, out);
}

}  // namespace

Result post(Request const& rq) {
  Result out;
  auto started = Clock::now();
  try {
    auto checked = guard::check_url(rq.url, rq.allow_loopback);
    if (!checked.target) {
      out.error = "the URL " + checked.problem;
      return out;
    }
    asio::io_context ioc;
    std::exception_ptr failure;
    asio::co_spawn(ioc, run(rq, *checked.target, out, started + rq.timeout),
                   [&failure](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) std::rethrow_exception(failure);
  } catch (std::exception const& e) {
    out.status = 0;
    out.error = std::string("the request failed: ") + e.what();
  }
  out.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  return out;
}

}  // namespace courtyard::webhooks::outbound
