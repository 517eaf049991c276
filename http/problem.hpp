#pragma once
// Errors as application/problem+json (RFC 9457): {"type": "/problems/<slug>", "title",
// "status", "detail", "request_id", "errors": [{"field", "detail"}]}.
#include "http/errors.hpp"
#include "http/message.hpp"

#include <string_view>

namespace courtyard::http {

Response problem(int status, std::string_view slug, std::string_view title, std::string_view detail,
                 std::string_view request_id);
Response problem(ApiError const& e, std::string_view request_id);

}  // namespace courtyard::http
