// Parcels waiting at the office (pick-up codes), deliveries (the proof code for the courier),
// and every saved code in one place, viewable offline.
import { useState } from "preact/hooks";
import { api, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { Empty, Money, PagedList, Status, Time, usePaged } from "../ui/kit";
import { cacheCode, cachedCodes, type CachedCode } from "./codes";
import { CodeBlock, ShowCode } from "./codecard";
import { Back } from "./nav";
import { A, online } from "./state";

type Parcel = Schemas["Parcel"];
type Delivery = Schemas["Delivery"];

function ParcelItem({ p }: { p: Parcel }) {
  return (
    <li class="card" data-parcel={p.id}>
      <div class="row between">
        <span>
          <strong>{p.carrier}</strong> · <small>{p.tracking_no}</small>
          <br />
          <small>
            {t("parcels.arrived")} <Time at={p.created_at} />
          </small>
        </span>
        <Status value={p.status} />
      </div>
      {p.pickup_code && p.status === "waiting" && <ShowCode show={t("parcels.showCode")} initiallyOpen code={p.pickup_code} size={180} testid="parcel-code" label={t("parcels.qrLabel", { code: p.pickup_code })} />}
    </li>
  );
}

function DeliveryItem({ d }: { d: Delivery }) {
  const live = d.status !== "delivered" && d.status !== "failed" && d.status !== "cancelled";
  return (
    <li class="card" data-delivery={d.id}>
      <div class="row between">
        <span>
          <strong>{t("merchant.order", { id: d.order_id })}</strong> · <Money cents={d.total_cents} />
          <br />
          <small>
            <Time at={d.created_at} />
          </small>
        </span>
        <Status value={d.status} />
      </div>
      {d.failure_reason && <p class="warn">{d.failure_reason}</p>}
      {live && d.proof_code && (
        <>
          <p class="meta">{t("parcels.proofHint")}</p>
          <CodeBlock code={d.proof_code} size={180} testid="proof-code" label={t("parcels.proofQr", { code: d.proof_code })} />
        </>
      )}
    </li>
  );
}

export function Parcels() {
  const parcels = usePaged(async (cursor) => {
    const r = (await ok(api.GET("/v1/communities/{cid}/parcels", { params: { path: { cid: cid.value }, query: { limit: 20, cursor } as never } }))) as { items: Parcel[]; next_cursor: string | null };
    for (const p of r.items) if (p.pickup_code && p.status === "waiting") cacheCode({ kind: "parcel", id: p.id, community_id: p.community_id, code: p.pickup_code, title: `${p.carrier} ${p.tracking_no}`, status: p.status });
    return r;
  }, [cid.value]);
  const deliveries = usePaged(async (cursor) => {
    const r = (await ok(api.GET("/v1/me/deliveries", { params: { query: { limit: 20, cursor } as never } }))) as { items: Delivery[]; next_cursor: string | null };
    for (const d of r.items)
      if (d.proof_code && !["delivered", "failed", "cancelled"].includes(d.status)) cacheCode({ kind: "delivery", id: d.id, community_id: d.community_id, code: d.proof_code, title: t("merchant.order", { id: d.order_id }), status: d.status });
    return r;
  }, [cid.value]);
  return (
    <div class="page">
      <Back />
      <h1>{t("parcels.title")}</h1>
      <p>
        <a href={`${A}/codes`}>{t("codes.link")}</a>
      </p>
      <h2>{t("parcels.parcels")}</h2>
      <PagedList list={parcels} class="plain cards" empty={t("parcels.none")}>
        {(p) => <ParcelItem key={p.id} p={p} />}
      </PagedList>
      <h2>{t("parcels.deliveries")}</h2>
      <PagedList list={deliveries} class="plain cards" empty={t("parcels.noDeliveries")}>
        {(d) => <DeliveryItem key={d.id} d={d} />}
      </PagedList>
    </div>
  );
}

const kinds: CachedCode["kind"][] = ["pickup", "visitor", "delivery", "parcel"];

/** Every code saved on this device, grouped by kind: works offline (nothing is fetched). */
export function Codes() {
  const all = Object.values(cachedCodes());
  const [open, setOpen] = useState<string | null>(null);
  return (
    <div class="page">
      {online.value && <Back to={`${A}/me`} label={t("tabs.me")} />}
      <h1>{t("codes.title")}</h1>
      <p class="meta">{t("codes.intro")}</p>
      {!all.length && <Empty>{t("codes.none")}</Empty>}
      {kinds.map((k) => {
        const list = all.filter((c) => c.kind === k).sort((a, b) => b.saved_at.localeCompare(a.saved_at));
        if (!list.length) return null;
        return (
          <section aria-labelledby={`codes-${k}`}>
            <h2 id={`codes-${k}`}>{t(`codes.kinds.${k}`)}</h2>
            <ul class="plain cards">
              {list.map((c) => {
                const key = `${c.kind}:${c.id}`;
                return (
                  <li class="card" data-code-kind={c.kind}>
                    <button type="button" class="row-button row between" aria-expanded={open === key ? "true" : "false"} onClick={() => setOpen(open === key ? null : key)}>
                      <span>
                        <strong>{c.title}</strong>
                        <br />
                        <small>
                          {t("shop.savedCopy")} <Time at={c.saved_at} />
                        </small>
                      </span>
                      <span class="code-inline">{c.code}</span>
                    </button>
                    {open === key && <CodeBlock code={c.code} size={180} testid="saved-code" label={t("codes.qrLabel", { code: c.code })} />}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
