#include "gateway/net/message.hpp"
#include "gateway/net/worker_pool.hpp"

#include <boost/beast/http/parser.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>

namespace net = courtyard::gateway::net;
namespace http = boost::beast::http;

namespace {

net::BeastRequest beast_request(http::verb method, std::string target) {
  net::BeastRequest msg{method, target, 11};
  msg.set("Host", "example.com");
  msg.set("X-Custom-Header", "Value");
  msg.body() = "{}";
  msg.prepare_payload();
  return msg;
}

// A 201 with a JSON body, a Location and a request id.
courtyard::http::Response created() {
  courtyard::http::Response r;
  r.status = 201;
  r.body = R"({"id":1})";
  r.headers.emplace_back("Location", "/v1/x/1");
  r.headers.emplace_back("X-Request-Id", "abc");
  return r;
}

// The status and headers created() must arrive with, however it was written.
template <class BeastResponse>
void check_created_head(BeastResponse const& res) {
  CHECK(res.result_int() == 201);
  CHECK(res[http::field::server] == "courtyard");
  CHECK(res[http::field::content_type] == "application/json");
  CHECK(res[http::field::content_length] == "8");
  CHECK(res[http::field::location] == "/v1/x/1");
  CHECK(res["X-Request-Id"] == "abc");
}

}  // namespace

TEST_CASE("net: a Beast request becomes a gateway Request", "[net]") {
  auto req = net::to_request(beast_request(http::verb::post, "/v1/a%20b/c?x=1&y=hello+world&z=%2F&flag"), "10.0.0.1");
  REQUIRE(req);
  CHECK(req->method == "POST");
  CHECK(req->target == "/v1/a%20b/c?x=1&y=hello+world&z=%2F&flag");
  CHECK(req->path == "/v1/a b/c");
  using Q = std::vector<std::pair<std::string, std::string>>;
  CHECK(req->query == Q{{"x", "1"}, {"y", "hello world"}, {"z", "/"}, {"flag", ""}});
  CHECK(req->header("x-custom-header") == "Value");
  CHECK(req->header("host") == "example.com");
  for (auto const& [name, value] : req->headers) CHECK(name == Catch::toLower(name));
  CHECK(req->body == "{}");
  CHECK(req->remote_ip == "10.0.0.1");
}

TEST_CASE("net: request targets", "[net]") {
  auto absolute = net::to_request(beast_request(http::verb::get, "http://example.com/p?q=1"), "");
  REQUIRE(absolute);
  CHECK(absolute->path == "/p");
  CHECK(absolute->query_param("q") == "1");

  auto bare = net::to_request(beast_request(http::verb::get, "http://example.com"), "");
  REQUIRE(bare);
  CHECK(bare->path == "/");

  CHECK_FALSE(net::to_request(beast_request(http::verb::get, "/bad%zzescape"), ""));
  CHECK_FALSE(net::to_request(beast_request(http::verb::get, "relative/path"), ""));
  CHECK_FALSE(net::to_request(beast_request(http::verb::get, "/a b"), ""));
  CHECK_FALSE(net::to_request(beast_request(http::verb::get, "/a\"b"), ""));
}

// Plain paths (unreserved characters and slashes, no query) skip the URL parser; every other
// target goes through it. Both ways give the same path.
TEST_CASE("net: plain paths and parsed paths agree", "[net]") {
  for (std::string plain : {"/", "/healthz", "/v1/me", "/v1/communities/1/merchants/2/products/3", "/v1/me/",
                            "//x", "/a//b", "/a/./b/../c", "/~user-name_1.2"}) {
    auto req = net::to_request(beast_request(http::verb::get, plain), "");
    REQUIRE(req);
    CHECK(req->path == plain);
    CHECK(req->query.empty());
  }
  struct Case {
    std::string target, path;
  };
  for (auto const& c : std::vector<Case>{{"/v1/me?", "/v1/me"},
                                         {"/v1/me?limit=20", "/v1/me"},
                                         {"/a%2Fb", "/a/b"},
                                         {"/a+b", "/a+b"},
                                         {"/a:b@c!$&'()*,;=", "/a:b@c!$&'()*,;="},
                                         {"/%7Euser", "/~user"}}) {
    auto req = net::to_request(beast_request(http::verb::get, c.target), "");
    REQUIRE(req);
    CHECK(req->path == c.path);
  }
}

TEST_CASE("net: a gateway Response becomes a Beast response", "[net]") {
  auto r = created();

  auto res = net::to_beast(courtyard::http::Response(r), 11, true, false);
  check_created_head(res);
  CHECK(res.keep_alive());
  CHECK(res.body() == r.body);

  auto head = net::to_beast(courtyard::http::Response(r), 11, false, true);
  CHECK(head.body().empty());
  CHECK(head[http::field::content_length] == "8");
  CHECK_FALSE(head.keep_alive());

  auto none = net::to_beast(courtyard::http::Response::no_content(), 11, true, false);
  CHECK(none.result_int() == 204);
  CHECK(none.body().empty());
  CHECK(none.find(http::field::content_type) == none.end());
}

TEST_CASE("net: serialized responses are valid HTTP/1.1", "[net]") {
  auto parse = [](net::WireResponse const& wire) {
    http::response_parser<http::string_body> p;
    p.eager(true);
    boost::beast::error_code ec;
    std::string bytes = wire.head + wire.body;
    auto n = p.put(boost::asio::buffer(bytes), ec);
    REQUIRE_FALSE(ec);
    if (!p.is_done()) p.put_eof(ec);
    CHECK(n <= bytes.size());
    return p.release();
  };

  auto r = created();
  r.headers.emplace_back("Content-Length", "999");       // the server owns this one
  r.headers.emplace_back("X-Injected", "a\r\nSet-Cookie: x");  // never written

  auto wire = net::serialize(courtyard::http::Response(r), 11, true, false);
  CHECK(wire.head.rfind("HTTP/1.1 201 Created\r\n", 0) == 0);
  CHECK(wire.body == r.body);
  auto res = parse(wire);
  check_created_head(res);
  CHECK(res.find("X-Injected") == res.end());
  CHECK(res.find(http::field::set_cookie) == res.end());
  CHECK(res[http::field::date].ends_with(" GMT"));
  CHECK(res.keep_alive());
  CHECK(res.body() == r.body);

  auto closing = parse(net::serialize(courtyard::http::Response(r), 11, false, false));
  CHECK_FALSE(closing.keep_alive());

  auto head = net::serialize(courtyard::http::Response(r), 11, true, true);
  CHECK(head.body.empty());
  CHECK_THAT(head.head, Catch::Contains("Content-Length: 8\r\n"));

  auto old_client = net::serialize(courtyard::http::Response(r), 10, true, false);
  CHECK(old_client.head.rfind("HTTP/1.0 201", 0) == 0);
  CHECK_THAT(old_client.head, Catch::Contains("Connection: keep-alive\r\n"));

  auto none = net::serialize(courtyard::http::Response::no_content(), 11, true, false);
  CHECK(none.head.rfind("HTTP/1.1 204 No Content\r\n", 0) == 0);
  CHECK(none.head.find("Content-Length") == std::string::npos);
  CHECK(none.head.find("Content-Type") == std::string::npos);
  CHECK(none.body.empty());
}

TEST_CASE("net: request ids are echoed when sane and generated otherwise", "[net]") {
  CHECK(net::request_id_for(std::optional<std::string_view>("abc-123_x.y:z")) == "abc-123_x.y:z");
  auto const generated = net::request_id_for(std::optional<std::string_view>("bad id\r\n"));
  CHECK(generated.size() == 16);
  CHECK(generated != net::new_request_id());
  CHECK(net::request_id_for(std::optional<std::string_view>(std::string(200, 'a'))).size() == 16);
}

TEST_CASE("net: worker pool runs jobs and refuses beyond its queue", "[net]") {
  std::atomic<std::int64_t> depth{0};
  net::WorkerPool pool(1, 1, &depth);

  std::promise<void> started;
  std::promise<void> release;
  auto released = release.get_future().share();
  REQUIRE(pool.try_submit([&, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();

  std::atomic<int> ran{0};
  REQUIRE(pool.try_submit([&] { ++ran; }));
  CHECK(depth == 1);
  CHECK_FALSE(pool.try_submit([&] { ++ran; }));

  release.set_value();
  for (int i = 0; i < 200 && ran == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(ran == 1);
  CHECK(depth == 0);

  pool.stop();
  CHECK_FALSE(pool.try_submit([] {}));
}
