// Webhook endpoints (Standard Webhooks): a merchant's, in the merchant console, and the
// community's, for managers. Register a URL for event types, copy the signing secret shown
// once, send a test event, read the delivery log with each attempt, replay, rotate, disable.
// Loaded on first visit.
import { useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid, merchantId } from "../lib/session";
import { ActionForm, Button, DataTable, ErrorNote, Field, LoadMore, ShownOnce, Status, Time, useAction, useLoad, usePaged } from "../ui/kit";

type Endpoint = Schemas["WebhookEndpoint"];
type Delivery = Schemas["WebhookDelivery"];
type Detail = Schemas["WebhookDeliveryDetail"];
type Owner = "merchant" | "community";
type Page<T> = { items: T[]; next_cursor: string | null };

// The topics each kind of endpoint may subscribe to (services/EVENTS.md, "Webhooks").
const TOPICS: Record<Owner, string[]> = {
  merchant: ["order.*", "order.placed", "order.cancelled", "order.completed", "order.delivery_failed", "review.posted", "groupbuy.closed", "delivery.*"],
  community: ["resident.*", "bill.*", "ticket.*", "announcement.published", "parcel.*", "delivery.*"],
};

/** The two families of routes differ only in their path; one set of calls for each owner. */
function calls(owner: Owner) {
  const m = () => ({ cid: cid.value, mid: merchantId() ?? 0 });
  const c = () => ({ cid: cid.value });
  const merchant = owner === "merchant";
  return {
    list: (cursor?: string) =>
      (merchant
        ? ok(api.GET("/v1/communities/{cid}/merchants/{mid}/webhooks", { params: { path: m(), query: { limit: 50, cursor } as never } }))
        : ok(api.GET("/v1/communities/{cid}/webhooks", { params: { path: c(), query: { limit: 50, cursor } as never } }))) as Promise<Page<Endpoint>>,
    create: (body: { url: string; event_types: string[]; description?: string }) =>
      merchant
        ? ok(api.POST("/v1/communities/{cid}/merchants/{mid}/webhooks", { params: { path: m() }, body }))
        : ok(api.POST("/v1/communities/{cid}/webhooks", { params: { path: c() }, body })),
    update: (wid: number, body: { enabled?: boolean }) =>
      merchant
        ? ok(api.PATCH("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}", { params: { path: { ...m(), wid } }, body }))
        : ok(api.PATCH("/v1/communities/{cid}/webhooks/{wid}", { params: { path: { ...c(), wid } }, body })),
    remove: (wid: number) =>
      merchant
        ? ok(api.DELETE("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}", { params: { path: { ...m(), wid } } }))
        : ok(api.DELETE("/v1/communities/{cid}/webhooks/{wid}", { params: { path: { ...c(), wid } } })),
    rotate: (wid: number) =>
      merchant
        ? ok(api.POST("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/rotate-secret", { params: { path: { ...m(), wid } }, body: {} }))
        : ok(api.POST("/v1/communities/{cid}/webhooks/{wid}/rotate-secret", { params: { path: { ...c(), wid } }, body: {} })),
    test: (wid: number) =>
      merchant
        ? ok(api.POST("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/test", { params: { path: { ...m(), wid } } }))
        : ok(api.POST("/v1/communities/{cid}/webhooks/{wid}/test", { params: { path: { ...c(), wid } } })),
    deliveries: (wid: number, cursor?: string) =>
      (merchant
        ? ok(api.GET("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/deliveries", { params: { path: { ...m(), wid }, query: { limit: 20, cursor } as never } }))
        : ok(api.GET("/v1/communities/{cid}/webhooks/{wid}/deliveries", { params: { path: { ...c(), wid }, query: { limit: 20, cursor } as never } }))) as Promise<Page<Delivery>>,
    delivery: (wid: number, did: number) =>
      (merchant
        ? ok(api.GET("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/deliveries/{did}", { params: { path: { ...m(), wid, did } } }))
        : ok(api.GET("/v1/communities/{cid}/webhooks/{wid}/deliveries/{did}", { params: { path: { ...c(), wid, did } } }))) as Promise<Detail>,
    replay: (wid: number, did: number) =>
      merchant
        ? ok(api.POST("/v1/communities/{cid}/merchants/{mid}/webhooks/{wid}/deliveries/{did}/replay", { params: { path: { ...m(), wid, did } } }))
        : ok(api.POST("/v1/communities/{cid}/webhooks/{wid}/deliveries/{did}/replay", { params: { path: { ...c(), wid, did } } })),
  };
}

function Attempts({ owner, endpoint, delivery }: { owner: Owner; endpoint: number; delivery: number }) {
  const { data: detail, error } = useLoad(() => calls(owner).delivery(endpoint, delivery), [endpoint, delivery]);
  return (
    <>
      <ErrorNote error={error} />
      <DataTable
        caption={t("webhooks.attempts")}
        rows={detail?.attempt_log}
        empty={t("webhooks.noAttempts")}
        columns={[
          { head: "#", cell: (x) => x.attempt },
          { head: t("common.date"), cell: (x) => <Time at={x.started_at} opts={{ dateStyle: "short", timeStyle: "medium" }} /> },
          { head: t("webhooks.http"), cell: (x) => x.http_status ?? "—" },
          { head: t("webhooks.latency"), num: true, cell: (x) => `${x.latency_ms} ms` },
          { head: t("webhooks.outcome"), cell: (x) => <>{t(`webhooks.outcomes.${x.outcome}`)}{x.error && <small> · {x.error}</small>}</> },
          { head: t("webhooks.response"), cell: (x) => <code class="snippet">{x.response_snippet || "—"}</code> },
        ]}
      />
    </>
  );
}

function Deliveries({ owner, endpoint }: { owner: Owner; endpoint: Endpoint }) {
  const list = usePaged((cursor) => calls(owner).deliveries(endpoint.id, cursor), [cid.value, endpoint.id]);
  const [open, setOpen] = useState<number | null>(null);
  const a = useAction();
  return (
    <section class="deliveries" aria-label={t("webhooks.deliveriesOf", { url: endpoint.url })}>
      <div class="row between">
        <h3>{t("webhooks.deliveries")}</h3>
        <Button onClick={list.reload}>{t("common.refresh")}</Button>
      </div>
      <ErrorNote error={list.error || a.error} />
      <DataTable
        caption={t("webhooks.deliveries")}
        rows={list.items}
        empty={t("webhooks.noDeliveries")}
        rowProps={(d) => ({ "data-delivery": d.id, "data-event": d.event_type })}
        expanded={(d) => open === d.id && <Attempts owner={owner} endpoint={endpoint.id} delivery={d.id} />}
        columns={[
          { head: t("common.date"), cell: (d) => <Time at={d.created_at} opts={{ dateStyle: "short", timeStyle: "medium" }} /> },
          { head: t("webhooks.event"), cell: (d) => <>{d.event_type}{d.replay_of ? <small> · {t("webhooks.replayOf", { id: d.replay_of })}</small> : null}</> },
          { head: "webhook-id", cell: (d) => <code>{d.webhook_id}</code> },
          { head: t("common.status"), cell: (d) => <><Status value={d.status} /> {d.last_status ? <small>HTTP {d.last_status}</small> : null}</> },
          { head: t("webhooks.tries"), num: true, cell: (d) => d.attempts },
          {
            head: t("common.actions"),
            actions: true,
            cell: (d) => (
              <>
                <button type="button" class="link" aria-expanded={open === d.id ? "true" : "false"} onClick={() => setOpen(open === d.id ? null : d.id)}>
                  {t("webhooks.attempts")}
                </button>{" "}
                <Button busy={a.busy} aria-label={`${t("webhooks.replay")} ${d.webhook_id}`} onClick={() => a.run(async () => { await calls(owner).replay(endpoint.id, d.id); list.reload(); })}>
                  {t("webhooks.replay")}
                </Button>
              </>
            ),
          },
        ]}
      />
      <LoadMore list={list} />
    </section>
  );
}

export function Webhooks({ owner }: { owner: Owner }) {
  const api = calls(owner);
  const list = usePaged((cursor) => api.list(cursor), [cid.value, owner]);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<string[]>([TOPICS[owner][0]]);
  const [fresh, setFresh] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const a = useAction();
  const act = (fn: () => Promise<unknown>) =>
    a.run(async () => {
      await fn();
      list.reload();
    });
  return (
    <section>
      <h1>{owner === "merchant" ? t("nav.webhooks") : t("nav.communityWebhooks")}</h1>
      <p class="hint">{t("webhooks.intro")}</p>
      {fresh && <ShownOnce title={t("webhooks.secretOnce", { url: fresh.url })} secret={fresh.secret} testId="webhook-secret" onDone={() => setFresh(null)} />}
      {tested && (
        <p class="ok" role="status">
          {t("webhooks.testQueued", { url: tested })}
        </p>
      )}
      <ErrorNote error={list.error || a.error} />
      <DataTable
        caption={t("webhooks.endpoints")}
        rows={list.items}
        empty={t("webhooks.none")}
        rowProps={(e) => ({ "data-endpoint": e.id })}
        expanded={(e) => open === e.id && <Deliveries owner={owner} endpoint={e} />}
        columns={[
          { head: t("webhooks.url"), cell: (e) => <>{e.url}{e.description && <><br /><small>{e.description}</small></>}</> },
          { head: t("webhooks.events"), cell: (e) => e.event_types.join(", ") },
          {
            head: t("common.status"),
            cell: (e) => (
              <>
                <Status value={e.enabled ? "active" : "disabled"} />
                {!e.enabled && e.disabled_reason && <small> {t(`webhooks.reasons.${e.disabled_reason}`)}</small>}
                {e.previous_secret_expires_at && (
                  <small>
                    {" "}
                    · {t("webhooks.overlap")} <Time at={e.previous_secret_expires_at} opts={{ dateStyle: "short", timeStyle: "short" }} />
                  </small>
                )}
              </>
            ),
          },
          {
            head: t("common.actions"),
            actions: true,
            cell: (e) => (
              <>
                <button type="button" class="link" aria-expanded={open === e.id ? "true" : "false"} onClick={() => setOpen(open === e.id ? null : e.id)}>
                  {t("webhooks.deliveries")}
                </button>{" "}
                <Button busy={a.busy} aria-label={`${t("webhooks.test")} ${e.url}`} onClick={() => act(async () => { await api.test(e.id); setTested(e.url); })}>
                  {t("webhooks.test")}
                </Button>
                <Button busy={a.busy} aria-label={`${t("webhooks.rotate")} ${e.url}`} onClick={() => act(async () => { if (!confirm(t("webhooks.confirmRotate"))) return; const r = await api.rotate(e.id); setFresh({ url: r.url, secret: r.secret }); })}>
                  {t("webhooks.rotate")}
                </Button>
                <Button busy={a.busy} aria-label={`${e.enabled ? t("webhooks.disable") : t("webhooks.enable")} ${e.url}`} onClick={() => act(() => api.update(e.id, { enabled: !e.enabled }))}>
                  {e.enabled ? t("webhooks.disable") : t("webhooks.enable")}
                </Button>
                <Button busy={a.busy} aria-label={`${t("webhooks.delete")} ${e.url}`} onClick={() => act(async () => { if (confirm(t("webhooks.confirmDelete", { url: e.url }))) await api.remove(e.id); })}>
                  {t("webhooks.delete")}
                </Button>
              </>
            ),
          },
        ]}
      />
      <LoadMore list={list} />
      <ActionForm class="card" action={a} title={t("webhooks.new")} submit={t("webhooks.create")} disabled={!chosen.length} shownFields={["url", "description"]} onSubmit={async () => {
        const r = await api.create({ url: url.trim(), event_types: chosen, description: description.trim() || undefined });
        setFresh({ url: r.url, secret: r.secret });
        setUrl("");
        setDescription("");
        list.reload();
      }}>
        <div class="cols">
          <Field label={t("webhooks.url")} name="url" type="url" value={url} onValue={setUrl} required error={a.fields.url} placeholder="https://" />
          <Field label={t("webhooks.description")} name="description" value={description} onValue={setDescription} error={a.fields.description} />
        </div>
        <fieldset class="scopes">
          <legend>{t("webhooks.events")}</legend>
          {TOPICS[owner].map((topic) => (
            <label>
              <input type="checkbox" checked={chosen.includes(topic)} onChange={(e) => setChosen((c) => ((e.target as HTMLInputElement).checked ? [...c, topic] : c.filter((x) => x !== topic)))} /> <code>{topic}</code>
            </label>
          ))}
        </fieldset>
      </ActionForm>
    </section>
  );
}

export const MerchantWebhooks = () => <Webhooks owner="merchant" />;
export const CommunityWebhooks = () => <Webhooks owner="community" />;
