#pragma once
// The outbox's operator surface: dead letters (list, re-queue) for platform admins and the
// delivery gauges for /metrics. App wires these in; the storage side is db/outbox.hpp.
#include "http/router.hpp"

#include <string>

namespace courtyard::events {
class Dispatcher;
}

namespace courtyard::gateway {

// GET  /v1/admin/events/dead-letters               ?subscriber=&limit=&cursor=
// POST /v1/admin/events/dead-letters/{id}/retry    re-queue one dead delivery
// Both Access::admin().
void add_outbox_admin_routes(http::Router& r);

// The dispatcher's cached gauges (pending/dead deliveries per subscriber) as Prometheus
// text to append to /metrics. Never touches the database (safe on an I/O thread).
std::string outbox_metrics_text(events::Dispatcher const& d);

}  // namespace courtyard::gateway
