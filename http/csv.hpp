#pragma once
// CSV answers, one rule for every route that offers them: which format the client asked for,
// how a field is written, and the download's headers.
#include "http/message.hpp"

#include <string>
#include <string_view>

namespace courtyard::http::csv {

// `?format=csv` or `?format=json` decides (an empty value counts as absent); otherwise an
// Accept header naming text/csv asks for CSV. Any other format is a 422 on `format`.
bool wanted(Request const& req);

// One RFC 4180 field: quoted when it holds a comma, a quote or a line break, quotes doubled.
// A text a spreadsheet would run as a formula (starting with = + - @, tab or CR, and not a
// plain number such as "-5") is quoted with a leading apostrophe, so it is shown, not run.
std::string field(std::string_view v);

// The headers of a CSV download named `filename` (".csv" is added when missing).
void as_download(Response& r, std::string_view filename);
// A whole CSV body as a download.
Response download(std::string body, std::string_view filename);

}  // namespace courtyard::http::csv
