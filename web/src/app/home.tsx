// Home: notifications (live), announcements (marked read when opened), bills due, events.
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid, community, me } from "../lib/session";
import { onNotification, type Notification } from "../lib/ws";
import { Empty, ErrorNote, Money, Skeleton, Time, useLoad } from "../ui/kit";
import { A } from "./state";

export const unread = signal(0);

function Notifications() {
  const { data, error, setData } = useLoad(() => ok(api.GET("/v1/me/notifications", { params: { query: { limit: 20 } as never } })), []);
  useEffect(() => {
    if (data) unread.value = data.unread_count ?? 0;
  }, [data]);
  useEffect(
    () =>
      onNotification((n: Notification) => {
        setData((d) => (d ? { ...d, items: [n, ...(d.items ?? []).filter((x) => x.id !== n.id)], unread_count: (d.unread_count ?? 0) + 1 } : d));
      }),
    [],
  );
  const markAll = async () => {
    await ok(api.POST("/v1/me/notifications/read-all", { body: {} as never })).catch(() => undefined);
    setData((d) => (d ? { ...d, unread_count: 0, items: d.items.map((x) => ({ ...x, read_at: x.read_at ?? new Date().toISOString() })) } : d));
  };
  return (
    <section aria-labelledby="notif-h" class="card">
      <div class="row between">
        <h2 id="notif-h">
          {t("home.notifications")} {data && data.unread_count > 0 && <span class="count">{data.unread_count}</span>}
        </h2>
        {data && data.unread_count > 0 && (
          <button type="button" class="link" onClick={markAll}>
            {t("home.markAllRead")}
          </button>
        )}
      </div>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : !data.items.length ? (
        <Empty>{t("home.noNotifications")}</Empty>
      ) : (
        <ul class="plain list notifications">
          {data.items.slice(0, 5).map((n) => {
            const orderId = (n.data as { order_id?: number } | undefined)?.order_id;
            const body = (
              <>
                <strong>{n.title}</strong>
                <br />
                <small>
                  {n.body} · <Time at={n.created_at} opts={{ timeStyle: "short" }} />
                </small>
              </>
            );
            return <li class={n.read_at ? "" : "unread"}>{orderId ? <a href={`${A}/orders/${orderId}`}>{body}</a> : body}</li>;
          })}
        </ul>
      )}
    </section>
  );
}

function Announcements() {
  const { data, error, reload, setData } = useLoad(() => ok(api.GET("/v1/communities/{cid}/announcements", { params: { path: { cid: cid.value }, query: { limit: 10 } as never } })), [cid.value]);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => onNotification((n) => n.type === "announcement.published" && reload()), []);
  const toggle = (a: Schemas["Announcement"]) => {
    setOpen(open === a.id ? null : a.id);
    if (!a.read_at) {
      api.POST("/v1/communities/{cid}/announcements/{id}/read", { params: { path: { cid: cid.value, id: a.id } } }).catch(() => undefined);
      setData((d) => (d ? { ...d, items: d.items?.map((x) => (x.id === a.id ? { ...x, read_at: new Date().toISOString() } : x)) } : d));
    }
  };
  return (
    <section aria-labelledby="ann-h" class="card">
      <h2 id="ann-h">{t("home.announcements")}</h2>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : !data.items?.length ? (
        <Empty>{t("home.noAnnouncements")}</Empty>
      ) : (
        <ul class="plain list">
          {data.items.map((a) => (
            <li class={a.read_at ? "" : "unread"} data-announcement={a.id}>
              <button type="button" class="row-button" aria-expanded={open === a.id ? "true" : "false"} onClick={() => toggle(a)}>
                <strong>{a.title}</strong> {!a.read_at && <span class="badge st-new">{t("home.new")}</span>}
                <small>
                  <Time at={a.created_at} opts={{ dateStyle: "medium" }} />
                </small>
              </button>
              {open === a.id && <p>{a.body}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function BillsDue() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/bills", { params: { query: { community_id: cid.value, limit: 20 } as never } })), [cid.value]);
  const due = (data?.items ?? []).filter((b) => b.status !== "paid");
  return (
    <section aria-labelledby="bills-h" class="card">
      <h2 id="bills-h">{t("home.billsDue")}</h2>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={1} />
      ) : !due.length ? (
        <Empty>{t("home.noBills")}</Empty>
      ) : (
        <ul class="plain list">
          {due.map((b) => (
            <li>
              <a href={`${A}/property`}>
                {b.name} {b.period} · <Money cents={b.amount_cents} /> · {t("property.dueOn", { date: "" })}
                <Time at={b.due_at} opts={{ dateStyle: "medium" }} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Events() {
  const { data, error } = useLoad(() => {
    const from = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const to = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, "Z");
    return ok(api.GET("/v1/communities/{cid}/events", { params: { path: { cid: cid.value }, query: { from, to, limit: 5 } as never } }));
  }, [cid.value]);
  return (
    <section aria-labelledby="ev-h" class="card">
      <h2 id="ev-h">{t("home.events")}</h2>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={1} />
      ) : !data.items.length ? (
        <Empty>{t("clubs.noEvents")}</Empty>
      ) : (
        <ul class="plain list">
          {data.items.map((e) => (
            <li>
              <a href={`${A}/clubs#event-${e.id}`}>
                {e.title} · <Time at={e.starts_at} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Parcels at the office and open group buys: counts linking to their pages (each skipped
 *  when its service is off). */
function Waiting() {
  const { data } = useLoad(async () => {
    const p = { path: { cid: cid.value } };
    const [parcels, buys] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/parcels", { params: { ...p, query: { status: "waiting", limit: 50 } } })).catch(() => null),
      ok(api.GET("/v1/communities/{cid}/group-buys", { params: { ...p, query: { status: "open", limit: 50 } } })).catch(() => null),
    ]);
    return { parcels: parcels?.items?.length ?? 0, buys: buys?.items?.length ?? 0 };
  }, [cid.value]);
  return (
    <section aria-labelledby="wait-h" class="card">
      <h2 id="wait-h">{t("home.waiting")}</h2>
      {!data ? (
        <Skeleton lines={2} />
      ) : (
        <ul class="plain list">
          <li>
            <a href={`${A}/parcels`} data-testid="home-parcels">
              {data.parcels ? t("home.parcels", { count: data.parcels }) : t("home.noParcels")}
            </a>
          </li>
          <li>
            <a href={`${A}/group-buys`} data-testid="home-group-buys">
              {data.buys ? t("home.groupBuys", { count: data.buys }) : t("home.noGroupBuys")}
            </a>
          </li>
        </ul>
      )}
    </section>
  );
}

const sections = ["neighbours_also_bought", "popular_in_your_building", "new_from_your_shops"] as const;

/** What the recommendations service suggests (only lists with products are shown). */
function Recommendations() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/recommendations", { params: { query: { community_id: cid.value, limit: 6 } } })), [cid.value]);
  const shown = sections.filter((k) => (data?.[k]?.length ?? 0) > 0);
  return (
    <section aria-labelledby="recs-h" class="card">
      <h2 id="recs-h">{t("recs.title")}</h2>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : !shown.length ? (
        <Empty>{data.personalised ? t("recs.noneYet") : t("recs.off")}</Empty>
      ) : (
        shown.map((k) => (
          <div class="recs" data-recs={k}>
            <h3>{t(`recs.${k}`)}</h3>
            <ul class="plain strip" aria-label={t(`recs.${k}`)}>
              {data[k].map((r) => (
                <li>
                  <a href={`${A}/shop/${r.merchant_id}/p/${r.product_id}`} class="rec">
                    <strong>{r.name}</strong>
                    <small>
                      <Money cents={r.price_cents} />
                    </small>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
      {data && !data.personalised && shown.length > 0 && <p class="hint">{t("recs.off")}</p>}
    </section>
  );
}

export function Home() {
  return (
    <div class="page">
      <header class="page-head">
        <h1>{t("home.hello", { name: me.value?.display_name ?? "" })}</h1>
        <p class="meta">{community.value?.name}</p>
      </header>
      <Notifications />
      <Announcements />
      <Waiting />
      <Recommendations />
      <BillsDue />
      <Events />
    </div>
  );
}
