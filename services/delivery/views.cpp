// The JSON shapes of delivery tasks, their history and parcels, and the delivery.* payload.
#include "db/tx.hpp"
#include "services/delivery/routes.hpp"

namespace courtyard::delivery {

namespace {

bj::value id_or_null(std::int64_t id) { return id > 0 ? bj::value(id) : bj::value(nullptr); }

bj::value text_or_null(std::optional<std::string> const& s) { return s ? bj::value(*s) : bj::value(nullptr); }

bj::array history_json(std::vector<repo::HistoryEntry> const& h) {
  bj::array out;
  for (auto const& e : h)
    out.push_back(bj::object{{"from", e.from ? bj::value(to_string(*e.from)) : bj::value(nullptr)},
                             {"to", to_string(e.to)},
                             {"actor_id", id_or_null(e.actor_id)},
                             {"at", json::rfc3339(e.at)},
                             {"note", text_or_null(e.note)}});
  return out;
}

}  // namespace

bj::object task_json(repo::Task const& t) {
  return bj::object{{"id", t.id},
                    {"community_id", t.community_id},
                    {"order_id", t.order_id},
                    {"merchant_id", t.merchant_id},
                    {"resident_id", t.resident_id},
                    {"unit_id", id_or_null(t.unit_id)},
                    {"courier_id", id_or_null(t.courier_id)},
                    {"status", to_string(t.status)},
                    {"total_cents", t.total_cents},
                    {"failure_reason", text_or_null(t.failure_reason)},
                    {"attempt", t.attempt},
                    {"slot", t.slot_id > 0 ? bj::value(bj::object{{"id", t.slot_id},
                                                                  {"starts_at", json::rfc3339(t.slot_starts_at)},
                                                                  {"ends_at", json::rfc3339(t.slot_ends_at)}})
                                           : bj::value(nullptr)},
                    {"late", is_late(t.status, t.slot_ends_at, db::now_ms())},
                    {"late_flagged_at", json::time_or_null(t.late_at)},
                    {"created_at", json::rfc3339(t.created_at)},
                    {"updated_at", json::rfc3339(t.updated_at)}};
}

bj::object resident_task_json(repo::Task const& t) {
  auto o = task_json(t);
  o["proof_code"] = t.proof_code;
  return o;
}

bj::object task_detail_json(repo::Task const& t, std::vector<repo::HistoryEntry> const& history, bool with_proof_code) {
  auto o = task_json(t);
  o["history"] = history_json(history);
  if (with_proof_code) o["proof_code"] = t.proof_code;
  return o;
}

bj::object parcel_json(repo::Parcel const& p, bool with_code) {
  bj::object o{{"id", p.id},
               {"community_id", p.community_id},
               {"unit_id", p.unit_id},
               {"carrier", p.carrier},
               {"tracking_no", p.tracking_no},
               {"status", to_string(p.status)},
               {"created_at", json::rfc3339(p.created_at)},
               {"picked_up_at", json::time_or_null(p.picked_up_at)}};
  if (with_code) o["pickup_code"] = p.pickup_code;
  return o;
}

bj::array ids_json(std::vector<std::int64_t> const& ids) {
  bj::array a;
  for (auto id : ids) a.push_back(id);
  return a;
}

bj::object task_event(repo::Task const& t, bj::object const& extra) {
  bj::object p{{"community_id", t.community_id}, {"delivery_id", t.id},        {"order_id", t.order_id},
               {"resident_id", t.resident_id},   {"courier_id", t.courier_id}, {"status", to_string(t.status)},
               {"merchant_id", t.merchant_id},   {"unit_id", t.unit_id}};
  if (t.slot_id > 0) p["slot_id"] = t.slot_id;
  for (auto const& [k, v] : extra) p[k] = v;
  return p;
}

bj::object slot_json(repo::Slot const& s) {
  return bj::object{{"id", s.id},
                    {"community_id", s.community_id},
                    {"merchant_id", s.merchant_id},
                    {"starts_at", json::rfc3339(s.starts_at)},
                    {"ends_at", json::rfc3339(s.ends_at)},
                    {"capacity", s.capacity},
                    {"booked", s.booked},
                    {"places_left", s.capacity > s.booked ? s.capacity - s.booked : 0},
                    {"status", to_string(s.status)},
                    {"created_at", json::rfc3339(s.created_at)}};
}

bj::object batch_json(repo::Batch const& b) {
  return bj::object{{"id", b.id},
                    {"community_id", b.community_id},
                    {"merchant_id", b.merchant_id},
                    {"group_buy_id", b.group_buy_id},
                    {"kind", b.kind},
                    {"building_id", id_or_null(b.building_id)},
                    {"building_name", b.kind == "pickup" ? bj::value(nullptr) : bj::value(b.building_name)},
                    {"courier_id", id_or_null(b.courier_id)},
                    {"status", to_string(b.status)},
                    {"progress", bj::object{{"done", b.stops_done},
                                            {"cancelled", b.stops_cancelled},
                                            {"total", b.stops_total}}},
                    {"created_at", json::rfc3339(b.created_at)},
                    {"updated_at", json::rfc3339(b.updated_at)}};
}

bj::object stop_json(repo::Stop const& s, bool with_proof_code) {
  bj::object o{{"id", s.id},
               {"batch_id", s.batch_id},
               {"order_id", s.order_id},
               {"resident_id", s.resident_id},
               {"unit_id", id_or_null(s.unit_id)},
               {"unit_number", s.unit_number},
               {"floor", s.floor},
               {"seq", s.seq},
               {"status", to_string(s.status)},
               {"done_at", json::time_or_null(s.done_at)}};
  if (with_proof_code) o["proof_code"] = s.proof_code;
  return o;
}

bj::object batch_detail_json(repo::Batch const& b, std::vector<repo::Stop> const& stops) {
  auto o = batch_json(b);
  bj::array a;
  for (auto const& s : stops) a.push_back(stop_json(s, false));
  o["stops"] = std::move(a);
  return o;
}

bj::object batch_event(repo::Batch const& b, bj::object const& extra) {
  bj::object p{{"community_id", b.community_id}, {"batch_id", b.id},         {"merchant_id", b.merchant_id},
               {"group_buy_id", b.group_buy_id}, {"kind", b.kind},           {"building_id", b.building_id},
               {"courier_id", b.courier_id},     {"status", to_string(b.status)},
               {"stops_done", b.stops_done},     {"stops_total", b.stops_total}};
  for (auto const& [k, v] : extra) p[k] = v;
  return p;
}

}  // namespace courtyard::delivery
