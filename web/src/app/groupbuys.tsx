// Group buys: join with a quantity (the wallet holds the money), progress towards the threshold,
// share with a neighbour.
import { useState } from "preact/hooks";
import { api, idempotencyKey, ok, type Schemas } from "../api/client";
import { money } from "../lib/format";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { Button, ErrorNote, Money, PagedList, Status, Time, useAction, useLoad, usePaged } from "../ui/kit";
import { ShareWithCode } from "./referral";
import { Back } from "./nav";
import { A } from "./state";

type GroupBuy = Schemas["GroupBuy"];

function useProductNames(items: GroupBuy[] | null) {
  const key = [...new Set((items ?? []).map((g) => `${g.merchant_id}:${g.product_id}`))].sort().join(",");
  const { data } = useLoad(async () => {
    const names = new Map<string, string>();
    await Promise.all(
      key
        .split(",")
        .filter(Boolean)
        .map(async (k) => {
          const [mid, pid] = k.split(":").map(Number);
          const p = await api.GET("/v1/communities/{cid}/merchants/{mid}/products/{pid}", { params: { path: { cid: cid.value, mid, pid } } });
          if (p.data) names.set(k, (p.data as Schemas["Product"]).name ?? "");
        }),
    );
    return names;
  }, [key]);
  return (g: GroupBuy) => data?.get(`${g.merchant_id}:${g.product_id}`) ?? t("groupBuys.product", { id: g.product_id });
}

function GroupBuyCard({ g, name, onChange }: { g: GroupBuy; name: string; onChange: (g: GroupBuy) => void }) {
  const [qty, setQty] = useState(1);
  const a = useAction();
  const mine = g.my_participation;
  const join = () =>
    a.run(async () => {
      await ok(api.POST("/v1/communities/{cid}/group-buys/{id}/join", { params: { path: { cid: cid.value, id: g.id! }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { quantity: qty } }));
      onChange(await ok(api.GET("/v1/communities/{cid}/group-buys/{id}", { params: { path: { cid: cid.value, id: g.id! } } })));
    });
  const min = g.min_participants ?? 1;
  const count = g.participants ?? 0;
  return (
    <li class="card" id={`gb-${g.id}`} data-group-buy={g.id}>
      <div class="row between">
        <h3>{name}</h3>
        <Status value={g.status} />
      </div>
      <p class="meta">
        <Money cents={g.unit_price_cents} /> · {t("groupBuys.closes")} <Time at={g.closes_at} />
      </p>
      <div class="progress">
        <progress max={Math.max(min, 1)} value={Math.min(count, min)} aria-label={t("groupBuys.progress", { count, min })} />
        <small>{t("groupBuys.progress", { count, min })}</small>
      </div>
      {g.outcome ? <p class="meta">{t(`groupBuys.outcome.${g.outcome}`)}</p> : null}
      {mine ? (
        <p class="ok" role="status">
          {t("groupBuys.joined", { count: mine.quantity ?? 1, amount: money(mine.amount_cents) })}
        </p>
      ) : g.status === "open" ? (
        <div class="row between">
          <div class="stepper">
            <button type="button" onClick={() => setQty(Math.max(1, qty - 1))} aria-label={t("shop.remove", { name })}>
              −
            </button>
            <output aria-label={t("shop.quantity", { name })}>{qty}</output>
            <button type="button" onClick={() => setQty(qty + 1)} aria-label={t("shop.add", { name })}>
              +
            </button>
          </div>
          <Button class="primary" busy={a.busy} onClick={join}>
            {t("groupBuys.join", { amount: money((g.unit_price_cents ?? 0) * qty) })}
          </Button>
        </div>
      ) : null}
      <ErrorNote error={a.error} />
      {g.status === "open" && <ShareWithCode target={{ group_buy_id: g.id! }} title={name} text={t("groupBuys.shareText", { name, price: money(g.unit_price_cents) })} />}
    </li>
  );
}

export function GroupBuysPage() {
  const list = usePaged((cursor) => ok(api.GET("/v1/communities/{cid}/group-buys", { params: { path: { cid: cid.value }, query: { status: "open", limit: 20, cursor } as never } })) as Promise<{ items: GroupBuy[]; next_cursor: string | null }>, [cid.value]);
  const name = useProductNames(list.items);
  return (
    <div class="page">
      <Back to={`${A}/shop`} label={t("tabs.shop")} />
      <h1>{t("groupBuys.title")}</h1>
      <PagedList list={list} class="plain cards" lines={4} empty={t("groupBuys.none")}>
        {(g) => <GroupBuyCard key={g.id} g={g} name={name(g)} onChange={(n) => list.replace(n)} />}
      </PagedList>
    </div>
  );
}
