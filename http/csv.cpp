#include "http/csv.hpp"

#include "http/errors.hpp"

namespace courtyard::http::csv {

namespace {

// "-5", "+3.25", "12": a number a spreadsheet reads as a number, not a formula.
bool plain_number(std::string_view v) {
  std::size_t i = (v.front() == '-' || v.front() == '+') ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < v.size(); ++i) {
    char c = v[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

bool wanted(Request const& req) {
  if (auto f = req.query_param("format"); f && !f->empty()) {
    if (*f == "csv") return true;
    if (*f == "json") return false;
    throw Invalid("format", "must be json or csv");
  }
  auto accept = req.header("accept");
  return accept && accept->find("text/csv") != std::string_view::npos;
}

std::string field(std::string_view v) {
  bool formula = !v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos &&
                 !plain_number(v);
  if (!formula && v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out;
  out.reserve(v.size() + 4);
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : v) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void as_download(Response& r, std::string_view filename) {
  std::string name(filename);
  if (!name.ends_with(".csv")) name += ".csv";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
}

Response download(std::string body, std::string_view filename) {
  auto r = Response::text(std::move(body), "text/csv; charset=utf-8");
  as_download(r, filename);
  return r;
}

}  // namespace courtyard::http::csv
