#include "http/problem.hpp"

#include <boost/json.hpp>

namespace courtyard::http {

Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                 std::string_view request_id) {
  boost::json::object o;
  o["type"] = "/problems/" + std::string(slug);
  o["title"] = title;
  o["status"] = status;
  o["detail"] = detail;
  o["request_id"] = request_id;
  Response r = Response::json(o, status);
  r.content_type = "application/problem+json";
  return r;
}

Response problem(ApiError const& e, std::string_view request_id) {
  Response r = problem(e.status(), e.slug(), e.title(), e.what(), request_id);
  if (!e.errors().empty()) {
    boost::json::object o = boost::json::parse(r.body).as_object();
    boost::json::array errs;
    for (auto const& fe : e.errors()) errs.push_back(boost::json::object{{"field", fe.field}, {"detail", fe.detail}});
    o["errors"] = std::move(errs);
    r.body = boost::json::serialize(o);
  }
  for (auto const& h : e.headers) r.headers.push_back(h);
  return r;
}

}  // namespace courtyard::http
