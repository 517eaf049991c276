// Clubs: upcoming events with RSVP (going, or the waitlist position) and clubs to join.
import { api, idempotencyKey, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { Button, ErrorNote, ListOf, Money, Time, useAction, useLoad } from "../ui/kit";
import { Posts } from "./posts";

type Detail = Schemas["ClubEventDetail"];

function EventCard({ ev, onChange }: { ev: Detail; onChange: (d: Detail) => void }) {
  const a = useAction();
  const p = { cid: cid.value, eid: ev.id! };
  const refresh = async () => onChange(await ok(api.GET("/v1/communities/{cid}/events/{eid}", { params: { path: p } })));
  const rsvp = () =>
    a.run(async () => {
      const header = (ev.fee_cents ?? 0) > 0 ? { "Idempotency-Key": idempotencyKey() } : undefined;
      await ok(api.POST("/v1/communities/{cid}/events/{eid}/rsvp", { params: { path: p, header: header as never } }));
      await refresh();
    });
  const cancel = () =>
    a.run(async () => {
      await ok(api.DELETE("/v1/communities/{cid}/events/{eid}/rsvp", { params: { path: p } }));
      await refresh();
    });
  const mine = ev.my_rsvp;
  const full = (ev.seats_left ?? 1) <= 0;
  return (
    <li class="card" id={`event-${ev.id}`} data-event={ev.title}>
      <h3>{ev.title}</h3>
      <p class="meta">
        {ev.club_name} · <Time at={ev.starts_at} /> · {(ev.fee_cents ?? 0) > 0 ? <Money cents={ev.fee_cents} /> : t("clubs.free")}
      </p>
      <p class="meta">
        {t("clubs.seats", { going: ev.going_count ?? 0, capacity: ev.capacity ?? 0 })}
        {(ev.waitlist_count ?? 0) > 0 && ` · ${t("clubs.waitlistCount", { count: ev.waitlist_count })}`}
      </p>
      {mine ? (
        <div role="status" class={mine.status === "going" ? "ok" : "warn"} data-testid="rsvp-status">
          {mine.status === "going" ? (
            <>
              {t("clubs.going")}
              {mine.check_in_code && (
                <>
                  {" "}
                  · {t("clubs.checkInCode")}: <span class="code-inline">{mine.check_in_code}</span>
                </>
              )}
            </>
          ) : (
            t("clubs.waitlisted", { position: mine.position ?? "?" })
          )}
        </div>
      ) : null}
      <ErrorNote error={a.error} />
      {mine ? (
        <Button busy={a.busy} onClick={cancel}>
          {t("clubs.cancelRsvp")}
        </Button>
      ) : (
        <Button class="primary" busy={a.busy} onClick={rsvp}>
          {full ? t("clubs.joinWaitlist") : t("clubs.rsvp")}
        </Button>
      )}
    </li>
  );
}

export function Clubs() {
  const { data, error, setData } = useLoad(async () => {
    const from = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const to = new Date(Date.now() + 60 * 86400e3).toISOString().replace(/\.\d+Z$/, "Z");
    const [events, clubs] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/events", { params: { path: { cid: cid.value }, query: { from, to, limit: 50 } as never } })),
      ok(api.GET("/v1/communities/{cid}/clubs", { params: { path: { cid: cid.value }, query: { limit: 100 } as never } })),
    ]);
    const details = await Promise.all(events.items.map((e) => ok(api.GET("/v1/communities/{cid}/events/{eid}", { params: { path: { cid: cid.value, eid: e.id } } }))));
    return { events: details as Detail[], clubs: (clubs.items ?? []) as Schemas["Club"][] };
  }, [cid.value]);
  const join = useAction();
  return (
    <div class="page">
      <header class="page-head">
        <h1>{t("tabs.clubs")}</h1>
      </header>
      <ErrorNote error={error || join.error} />
      <h2>{t("home.events")}</h2>
      <ListOf items={data?.events} class="plain cards" lines={4} empty={t("clubs.noEvents")}>
        {(ev) => <EventCard ev={ev} onChange={(d) => setData((all) => all && { ...all, events: all.events.map((x) => (x.id === d.id ? d : x)) })} />}
      </ListOf>
      <h2>{t("clubs.clubs")}</h2>
      {data && (
        <ul class="plain list">
          {data.clubs.map((c) => (
            <li class="row between">
              <span>
                <strong>{c.name}</strong> <small>· {t("clubs.members", { count: c.member_count })}</small>
                <br />
                <small>{c.description}</small>
              </span>
              {c.my_membership ? (
                <span class="badge">{t(`clubs.membership.${c.my_membership.status ?? "member"}`)}</span>
              ) : (
                <Button
                  busy={join.busy}
                  onClick={() =>
                    join.run(async () => {
                      await ok(api.POST("/v1/communities/{cid}/clubs/{id}/join", { params: { path: { cid: cid.value, id: c.id } } }));
                      const fresh = await ok(api.GET("/v1/communities/{cid}/clubs/{id}", { params: { path: { cid: cid.value, id: c.id } } }));
                      setData({ ...data, clubs: data.clubs.map((x) => (x.id === c.id ? (fresh as Schemas["Club"]) : x)) });
                    })
                  }
                >
                  {t("clubs.join")}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <Posts />
    </div>
  );
}
