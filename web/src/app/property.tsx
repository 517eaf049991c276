// Property: my bills, paid from the wallet.
import { useState } from "preact/hooks";
import { api, idempotencyKey, ok, type Schemas } from "../api/client";
import { money } from "../lib/format";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { A } from "./state";
import { Button, ErrorNote, ListOf, Money, Status, Time, useAction, useLoad } from "../ui/kit";

type Bill = Schemas["Bill"];

export function Property() {
  const { data, error, setData } = useLoad(async () => {
    const [bills, wallet] = await Promise.all([
      ok(api.GET("/v1/me/bills", { params: { query: { community_id: cid.value, limit: 50 } as never } })),
      ok(api.GET("/v1/me/wallet", { params: { query: { community_id: cid.value, limit: 1 } as never } })),
    ]);
    return { bills: (bills.items ?? []) as Bill[], balance: wallet.balance_cents };
  }, [cid.value]);
  const [paying, setPaying] = useState<number | null>(null);
  const a = useAction();
  const pay = (b: Bill) =>
    a.run(async () => {
      setPaying(b.id);
      try {
        const paid = (await ok(api.POST("/v1/communities/{cid}/bills/{id}/payments", { params: { path: { cid: b.community_id, id: b.id }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { method: "wallet" } }))) as Bill;
        setData((d) => (d ? { bills: d.bills.map((x) => (x.id === b.id ? paid : x)), balance: d.balance - b.amount_cents } : d));
      } finally {
        setPaying(null);
      }
    });
  return (
    <div class="page">
      <header class="page-head">
        <h1>{t("tabs.property")}</h1>
        {data && (
          <p class="meta">
            {t("shop.walletBalance")}: <Money cents={data.balance} />
          </p>
        )}
      </header>
      <nav class="hub" aria-label={t("property.services")}>
        <a href={`${A}/property/repairs`}>{t("repairs.title")}</a>
        <a href={`${A}/property/visitors`}>{t("passes.title")}</a>
        <a href={`${A}/property/amenities`}>{t("amenities.title")}</a>
        <a href={`${A}/property/suggestions`}>{t("suggestions.title")}</a>
        <a href={`${A}/parcels`}>{t("parcels.title")}</a>
        <a href={`${A}/codes`}>{t("codes.title")}</a>
      </nav>
      <ErrorNote error={error || a.error} />
      <h2>{t("property.bills")}</h2>
      <ListOf items={data?.bills} class="plain cards" lines={3} empty={t("home.noBills")}>
        {(b) => (
          <li class="card" data-bill={b.id}>
            <div class="row between">
              <span>
                <strong>
                  {b.name} · {b.period}
                </strong>
                <br />
                <small>
                  {b.status === "paid" ? (
                    <>
                      {t("property.paidOn")} <Time at={b.paid_at} opts={{ dateStyle: "medium" }} />
                    </>
                  ) : (
                    <>
                      {t("property.dueOn", { date: "" })}
                      <Time at={b.due_at} opts={{ dateStyle: "medium" }} />
                    </>
                  )}
                </small>
              </span>
              <span>
                <Money cents={b.amount_cents} /> <Status value={b.status} />
              </span>
            </div>
            {b.status !== "paid" && (
              <Button class="primary wide" busy={paying === b.id} disabled={a.busy} onClick={() => pay(b)}>
                {t("property.payFromWallet", { amount: money(b.amount_cents) })}
              </Button>
            )}
          </li>
        )}
      </ListOf>
    </div>
  );
}
