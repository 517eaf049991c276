// After-sales refunds of a completed order (loaded with the order page when it is completed):
// ask for the whole order or some items with a reason, follow the state the merchant gives it,
// dispute a declined one (the managers then arbitrate). The API sends no notification for
// refunds, so an open one is looked at again every few seconds while the page is open.
import { useEffect, useState } from "preact/hooks";
import { api, idempotencyKey, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid } from "../lib/session";
import { Button, ErrorNote, Form, Money, Section, Skeleton, Status, TextArea, Time, useAction, useLoad } from "../ui/kit";

type Order = Schemas["Order"];
type Refund = Schemas["Refund"];

function RefundCard({ r, order, onChange }: { r: Refund; order: Order; onChange: (r: Refund) => void }) {
  const [reason, setReason] = useState("");
  const [open, setOpen] = useState(false);
  const a = useAction();
  const name = (pid?: number) => order.items?.find((i) => i.product_id === pid)?.name ?? `#${pid}`;
  const dispute = () =>
    a.run(async () => {
      onChange((await ok(api.POST("/v1/communities/{cid}/refunds/{rid}/dispute", { params: { path: { cid: order.community_id ?? cid.value, rid: r.id! } }, body: { reason } }))) as Refund);
      setOpen(false);
    });
  return (
    <li class="card" data-refund={r.id}>
      <p class="row between">
        <strong>{t("refunds.refund", { id: r.id })}</strong>
        <span data-testid="refund-status">
          <Status value={`refund_${r.status}`} />
        </span>
      </p>
      <p class="meta">
        {(r.items ?? []).map((i) => `${i.quantity} × ${name(i.product_id)}`).join(", ")} · <Money cents={r.goods_cents} /> · <Time at={r.created_at} opts={{ dateStyle: "medium" }} />
      </p>
      <p>
        {t("refunds.yourReason")}: {r.reason}
      </p>
      {r.status === "completed" && (
        <p class="ok">
          {t("refunds.refunded", { amount: "" })}
          <Money cents={r.amount_cents} />
          {(r.points ?? 0) > 0 && <> · {t("refunds.pointsBack", { count: r.points })}</>}
        </p>
      )}
      {r.decision?.reason && (
        <p>
          {t("refunds.merchantSaid")}: {r.decision.reason}
        </p>
      )}
      {r.dispute?.reason && (
        <p>
          {t("refunds.disputeSaid")}: {r.dispute.reason}
        </p>
      )}
      {r.arbitration?.reason && (
        <p>
          {t("refunds.managersSaid")}: {r.arbitration.reason}
        </p>
      )}
      {r.status === "declined" &&
        (open ? (
          <Form onSubmit={() => dispute()}>
            <TextArea label={t("refunds.disputeReason")} name="reason" value={reason} onValue={setReason} required error={a.fields.reason} />
            <ErrorNote error={a.error} shownFields={["reason"]} />
            <Button type="submit" class="primary" busy={a.busy}>
              {t("refunds.sendDispute")}
            </Button>
          </Form>
        ) : (
          <Button onClick={() => setOpen(true)}>{t("refunds.dispute")}</Button>
        ))}
    </li>
  );
}

function RequestForm({ order, onDone }: { order: Order; onDone: (r: Refund) => void }) {
  const [whole, setWhole] = useState(true);
  const [qty, setQty] = useState<Record<number, number>>({});
  const [reason, setReason] = useState("");
  const [returned, setReturned] = useState(false);
  const [key] = useState(idempotencyKey);
  const a = useAction();
  const items = Object.entries(qty)
    .filter(([, q]) => q > 0)
    .map(([pid, q]) => ({ product_id: Number(pid), quantity: q, returned }));
  const submit = () =>
    a.run(async () => {
      const r = await ok(
        api.POST("/v1/communities/{cid}/orders/{oid}/refunds", {
          params: { path: { cid: order.community_id ?? cid.value, oid: order.id! }, header: { "Idempotency-Key": key } as never },
          body: whole ? { reason, returned } : { reason, returned, items },
        }),
      );
      onDone(r as Refund);
    });
  return (
    <Form class="card" aria-labelledby="refund-h" onSubmit={() => submit()}>
      <h3 id="refund-h">{t("refunds.ask")}</h3>
      <fieldset>
        <legend>{t("refunds.what")}</legend>
        <label class="radio">
          <input type="radio" name="scope" checked={whole} onChange={() => setWhole(true)} /> {t("refunds.whole")}
        </label>
        <label class="radio">
          <input type="radio" name="scope" checked={!whole} onChange={() => setWhole(false)} /> {t("refunds.some")}
        </label>
      </fieldset>
      {!whole && (
        <ul class="plain list">
          {order.items?.map((i) => (
            <li class="row between">
              <label for={`rq-${i.product_id}`}>{i.name}</label>
              <select id={`rq-${i.product_id}`} value={String(qty[i.product_id!] ?? 0)} onChange={(e) => setQty({ ...qty, [i.product_id!]: Number((e.currentTarget as HTMLSelectElement).value) })}>
                {Array.from({ length: (i.quantity ?? 0) + 1 }, (_, n) => (
                  <option value={String(n)}>{n}</option>
                ))}
              </select>
            </li>
          ))}
        </ul>
      )}
      <TextArea label={t("refunds.reason")} name="reason" value={reason} onValue={setReason} required error={a.fields.reason} />
      <label class="check">
        <input type="checkbox" name="returned" checked={returned} onChange={(e) => setReturned((e.currentTarget as HTMLInputElement).checked)} />
        <span>{t("refunds.returned")}</span>
      </label>
      <ErrorNote error={a.error} shownFields={["reason"]} />
      <Button type="submit" class="primary" busy={a.busy} disabled={!reason.trim() || (!whole && !items.length)}>
        {t("refunds.send")}
      </Button>
    </Form>
  );
}

export function Refunds({ order }: { order: Order }) {
  const c = order.community_id ?? cid.value;
  const { data, error, reload, setData } = useLoad(async () => {
    const [list, settings] = await Promise.all([
      ok(api.GET("/v1/communities/{cid}/orders/{oid}/refunds", { params: { path: { cid: c, oid: order.id! }, query: { limit: 50 } as never } })),
      ok(api.GET("/v1/communities/{cid}/refund-settings", { params: { path: { cid: c } } })).catch(() => null),
    ]);
    return { items: (list.items ?? []) as Refund[], days: (settings as { window_days?: number } | null)?.window_days };
  }, [order.id]);
  const [asking, setAsking] = useState(false);
  const pending = data?.items.some((r) => r.status === "requested" || r.status === "disputed");
  useEffect(() => {
    if (!pending) return;
    const h = setInterval(reload, 5000);
    return () => clearInterval(h);
  }, [pending]);
  const refunded = new Map<number, number>();
  for (const r of data?.items ?? []) if (r.status !== "declined" && r.status !== "rejected") for (const i of r.items ?? []) refunded.set(i.product_id!, (refunded.get(i.product_id!) ?? 0) + (i.quantity ?? 0));
  const left = (order.items ?? []).some((i) => (i.quantity ?? 0) > (refunded.get(i.product_id!) ?? 0));
  const upsert = (r: Refund) => setData((d) => (d ? { ...d, items: [r, ...d.items.filter((x) => x.id !== r.id)] } : d));
  return (
    <Section id="refunds-h" class="refunds" title={t("refunds.title")}>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : (
        <>
          {data.items.length > 0 && (
            <ul class="plain cards">
              {data.items.map((r) => (
                <RefundCard r={r} order={order} onChange={upsert} />
              ))}
            </ul>
          )}
          {left &&
            (asking ? (
              <RequestForm
                order={order}
                onDone={(r) => {
                  upsert(r);
                  setAsking(false);
                }}
              />
            ) : (
              <>
                {data.days ? <p class="meta">{t("refunds.window", { count: data.days })}</p> : null}
                <Button class="wide" onClick={() => setAsking(true)}>
                  {t("refunds.ask")}
                </Button>
              </>
            ))}
          {pending && (
            <Button class="link" onClick={reload}>
              {t("common.refresh")}
            </Button>
          )}
        </>
      )}
    </Section>
  );
}
