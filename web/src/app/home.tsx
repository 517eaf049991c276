// Home: notifications (live), announcements (marked read when opened), bills due, events.
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid, community, me } from "../lib/session";
import { onNotification, type Notification } from "../lib/ws";
import { Empty, ErrorNote, ListOf, Money, Section, Skeleton, Time, useLoad } from "../ui/kit";
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
      <ListOf items={data?.items.slice(0, 5)} class="plain list notifications" lines={2} empty={t("home.noNotifications")}>
        {(n) => {
          // What a shop's owner and staff are told (type "….merchant": a new order, a digest of
          // several, a cancellation) opens the shop's order queue in the portal; a resident's
          // own order notice opens the order.
          const orderId = (n.data as { order_id?: number } | undefined)?.order_id;
          const href = n.type.endsWith(".merchant") ? "/portal/orders" : orderId ? `${A}/orders/${orderId}` : undefined;
          const body = (
            <>
              <strong>{n.title}</strong>
              <br />
              <small>
                {n.body} · <Time at={n.created_at} opts={{ timeStyle: "short" }} />
              </small>
            </>
          );
          return <li class={n.read_at ? "" : "unread"}>{href ? <a href={href}>{body}</a> : body}</li>;
        }}
      </ListOf>
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
    <Section id="ann-h" class="card" title={t("home.announcements")}>
      <ErrorNote error={error} />
      <ListOf items={data?.items} class="plain list" lines={2} empty={t("home.noAnnouncements")}>
        {(a) => (
          <li class={a.read_at ? "" : "unread"} data-announcement={a.id}>
            <button type="button" class="row-button" aria-expanded={open === a.id ? "true" : "false"} onClick={() => toggle(a)}>
              <strong>{a.title}</strong> {!a.read_at && <span class="badge st-new">{t("home.new")}</span>}
              <small>
                <Time at={a.created_at} opts={{ dateStyle: "medium" }} />
              </small>
            </button>
            {open === a.id && <p>{a.body}</p>}
          </li>
        )}
      </ListOf>
    </Section>
  );
}

function BillsDue() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/bills", { params: { query: { community_id: cid.value, limit: 20 } as never } })), [cid.value]);
  const due = (data?.items ?? []).filter((b) => b.status !== "paid");
  return (
    <Section id="bills-h" class="card" title={t("home.billsDue")}>
      <ErrorNote error={error} />
      <ListOf items={data && due} class="plain list" lines={1} empty={t("home.noBills")}>
        {(b) => (
          <li>
            <a href={`${A}/property`}>
              {b.name} {b.period} · <Money cents={b.amount_cents} /> · {t("property.dueOn", { date: "" })}
              <Time at={b.due_at} opts={{ dateStyle: "medium" }} />
            </a>
          </li>
        )}
      </ListOf>
    </Section>
  );
}

function Events() {
  const { data, error } = useLoad(() => {
    const from = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const to = new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, "Z");
    return ok(api.GET("/v1/communities/{cid}/events", { params: { path: { cid: cid.value }, query: { from, to, limit: 5 } as never } }));
  }, [cid.value]);
  return (
    <Section id="ev-h" class="card" title={t("home.events")}>
      <ErrorNote error={error} />
      <ListOf items={data?.items} class="plain list" lines={1} empty={t("clubs.noEvents")}>
        {(e) => (
          <li>
            <a href={`${A}/clubs#event-${e.id}`}>
              {e.title} · <Time at={e.starts_at} />
            </a>
          </li>
        )}
      </ListOf>
    </Section>
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
    <Section id="wait-h" class="card" title={t("home.waiting")}>
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
    </Section>
  );
}

const sections = ["neighbours_also_bought", "popular_in_your_building", "new_from_your_shops"] as const;

/** What the recommendations service suggests (only lists with products are shown). */
function Recommendations() {
  const { data, error } = useLoad(() => ok(api.GET("/v1/me/recommendations", { params: { query: { community_id: cid.value, limit: 6 } } })), [cid.value]);
  const shown = sections.filter((k) => (data?.[k]?.length ?? 0) > 0);
  return (
    <Section id="recs-h" class="card" title={t("recs.title")}>
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
    </Section>
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
