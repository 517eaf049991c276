// The merchant console: live order queue, redemption, catalogue and stock.
import { signal } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, idempotencyKey, ok, type Schemas } from "../api/client";
import { t } from "../lib/i18n";
import { cid, merchantId } from "../lib/session";
import { onNotification } from "../lib/ws";
import { ActionForm, Button, DataTable, Empty, ErrorNote, Field, Form, Money, ScanButton, Select, Skeleton, Status, Time, useAction, useLoad } from "../ui/kit";

type Order = Schemas["Order"];
type Product = Schemas["Product"];

/** Orders waiting for the merchant to accept (the nav badge). */
export const newOrders = signal(0);
const mp = () => ({ cid: cid.value, mid: merchantId() ?? 0 });

function beep() {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.08;
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.15);
    o.onended = () => ctx.close();
  } catch {
    /* no audio: the badge still shows */
  }
}

const queueStates = ["placed", "accepted", "ready"] as const;

export function Orders() {
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const known = useRef<Set<number> | null>(null);
  const a = useAction();
  const load = async () => {
    try {
      const r = await ok(api.GET("/v1/communities/{cid}/merchants/{mid}/orders", { params: { path: mp(), query: { limit: 100 } as never } }));
      const items = (r.items ?? []) as Order[];
      const ids = new Set(items.map((o) => o.id!));
      if (known.current) {
        const arrived = items.filter((o) => !known.current!.has(o.id!) && o.status === "placed").map((o) => o.id!);
        if (arrived.length) {
          beep();
          setFresh((f) => new Set([...f, ...arrived]));
        }
      }
      known.current = ids;
      setOrders(items);
      newOrders.value = items.filter((o) => o.status === "placed").length;
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
    // Pushed notifications trigger a refresh at once; a slow poll covers events the server
    // does not push to merchants.
    const off = onNotification(() => load());
    const timer = setInterval(() => document.visibilityState === "visible" && load(), 4000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [cid.value]);
  const act = (o: Order, verb: "accept" | "ready" | "cancel") =>
    a.run(async () => {
      if (verb === "cancel" && !confirm(t("merchant.confirmCancel", { id: o.id }))) return;
      const p = { params: { path: { cid: cid.value, oid: o.id! } } };
      const r = verb === "accept" ? await ok(api.POST("/v1/communities/{cid}/orders/{oid}/accept", p)) : verb === "ready" ? await ok(api.POST("/v1/communities/{cid}/orders/{oid}/ready", p)) : await ok(api.POST("/v1/communities/{cid}/orders/{oid}/cancel", p));
      setFresh((f) => {
        const n = new Set(f);
        n.delete(o.id!);
        return n;
      });
      setOrders((list) => list?.map((x) => (x.id === o.id ? (r as Order) : x)) ?? null);
      load();
    });
  return (
    <section>
      <h1>
        {t("nav.orders")} {newOrders.value > 0 && <span class="count">{newOrders.value}</span>}
      </h1>
      <p class="sr-only" aria-live="polite">
        {fresh.size ? t("merchant.newOrders", { count: fresh.size }) : ""}
      </p>
      <ErrorNote error={error || a.error} />
      {!orders ? (
        <Skeleton lines={5} />
      ) : (
        <div class="board three">
          {queueStates.map((s) => {
            const list = orders.filter((o) => o.status === s);
            return (
              <section class="column" aria-labelledby={`oc-${s}`} data-column={s}>
                <h2 id={`oc-${s}`}>
                  {t(`state.${s}`)} <span class="count">{list.length}</span>
                </h2>
                {!list.length && <Empty>{t("merchant.noneHere")}</Empty>}
                {list.map((o) => (
                  <article class={`order${fresh.has(o.id!) ? " fresh" : ""}`} data-order={o.id} aria-labelledby={`o-${o.id}`}>
                    <h3 id={`o-${o.id}`}>
                      {t("merchant.order", { id: o.id })} {fresh.has(o.id!) && <span class="badge st-new">{t("merchant.new")}</span>}
                    </h3>
                    <ul class="plain">
                      {o.items?.map((i) => (
                        <li>
                          {i.quantity} × {i.name}
                        </li>
                      ))}
                    </ul>
                    <p class="meta">
                      <Money cents={o.total_cents} /> · {t(`shop.${o.fulfilment}`)} · <Time at={o.created_at} opts={{ timeStyle: "short" }} />
                    </p>
                    <div class="actions">
                      {o.status === "placed" && (
                        <Button class="primary" busy={a.busy} onClick={() => act(o, "accept")}>
                          {t("merchant.accept")}
                        </Button>
                      )}
                      {o.status === "accepted" && (
                        <Button class="primary" busy={a.busy} onClick={() => act(o, "ready")}>
                          {t("merchant.ready")}
                        </Button>
                      )}
                      <Button busy={a.busy} onClick={() => act(o, "cancel")}>
                        {t("merchant.cancel")}
                      </Button>
                    </div>
                  </article>
                ))}
              </section>
            );
          })}
        </div>
      )}
      <h2>{t("merchant.recent")}</h2>
      <ul class="plain">
        {orders
          ?.filter((o) => o.status === "completed" || o.status === "cancelled")
          .slice(0, 10)
          .map((o) => (
            <li>
              {t("merchant.order", { id: o.id })} · <Money cents={o.total_cents} /> · <Status value={o.status} />
            </li>
          ))}
      </ul>
    </section>
  );
}

export function Redeem() {
  const [code, setCode] = useState("");
  const [done, setDone] = useState<Order | null>(null);
  const a = useAction();
  const redeem = (value: string) =>
    a.run(async () => {
      const r = await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/redemptions", { params: { path: mp() }, body: { code: value } }));
      setDone(r as Order);
      setCode("");
    });
  return (
    <section>
      <h1>{t("nav.redeem")}</h1>
      <Form class="card" onSubmit={() => redeem(code)}>
        <Field label={t("merchant.code")} name="code" value={code} onValue={setCode} required autoComplete="off" error={a.fields.code} class="code-input" />
        <div class="actions">
          <Button type="submit" class="primary" busy={a.busy}>
            {t("merchant.redeem")}
          </Button>
        </div>
        <ScanButton
          onCode={(value) => {
            setCode(value);
            redeem(value);
          }}
          onError={a.setError}
        />
        <ErrorNote error={a.error} shownFields={["code"]} />
      </Form>
      {done && (
        <p class="ok" role="status">
          {t("merchant.redeemed", { id: done.id })} · <Money cents={done.total_cents} /> · {done.items?.map((i) => `${i.quantity} × ${i.name}`).join(", ")}
        </p>
      )}
    </section>
  );
}

function StockForm({ product, onDone }: { product: Product; onDone: () => void }) {
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState<"purchase" | "adjustment" | "return">("purchase");
  const a = useAction();
  return (
    <Form class="inline-form" onSubmit={() =>
      a.run(async () => {
        await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock", { params: { path: { ...mp(), pid: product.id! }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { delta: Number(delta), reason } }));
        setDelta("");
        onDone();
      })
    }>
      <Field label={t("catalogue.delta")} name="delta" type="number" step="1" value={delta} onValue={setDelta} required error={a.fields.delta} aria-label={`${t("catalogue.delta")} ${product.name}`} />
      <Select label={t("catalogue.reason")} name="reason" value={reason} onValue={(v) => setReason(v as typeof reason)} options={["purchase", "adjustment", "return"].map((r) => ({ value: r, label: t(`catalogue.reasons.${r}`) }))} error={a.fields.reason} />
      <Button type="submit" busy={a.busy}>
        {t("catalogue.record")}
      </Button>
      <ErrorNote error={a.error} shownFields={["delta", "reason"]} />
    </Form>
  );
}

function Movements({ product }: { product: Product }) {
  const { data, error } = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products/{pid}/stock-movements", { params: { path: { ...mp(), pid: product.id! }, query: { limit: 20 } as never } })), [product.id, product.stock]);
  return (
    <div>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : (
        <ol class="history">
          {((data as { items?: Schemas["StockMovement"][] }).items ?? []).map((m) => (
            <li>
              <Time at={m.at} /> · {t(`catalogue.reasons.${m.reason}`)} · {m.delta! > 0 ? `+${m.delta}` : m.delta} → {m.stock_after}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function Catalogue() {
  const { data, error, reload } = useLoad(() => ok(api.GET("/v1/communities/{cid}/merchants/{mid}/products", { params: { path: mp(), query: { limit: 200 } as never } })), [cid.value]);
  const [open, setOpen] = useState<number | null>(null);
  const [name, setName] = useState("");
  const [price, setPrice] = useState("");
  const [stock, setStock] = useState("0");
  const [category, setCategory] = useState("");
  const a = useAction();
  const products = ((data as { items?: Product[] } | undefined)?.items ?? []) as Product[];
  return (
    <section>
      <h1>{t("nav.catalogue")}</h1>
      <ErrorNote error={error} />
      <DataTable
        caption={t("nav.catalogue")}
        rows={data ? products : null}
        empty={t("catalogue.none")}
        expanded={(p) =>
          open === p.id && (
            <>
              <StockForm product={p} onDone={reload} />
              <Movements product={p} />
            </>
          )
        }
        columns={[
          { head: t("catalogue.name"), cell: (p) => <>{p.name} {p.active === false && <small>({t("catalogue.offSale")})</small>}</> },
          { head: t("catalogue.category"), cell: (p) => p.category },
          { head: t("catalogue.price"), num: true, cell: (p) => <Money cents={p.price_cents} /> },
          { head: t("catalogue.stock"), num: true, cellClass: (p) => ((p.stock ?? 0) < 5 ? "low" : ""), cell: (p) => p.stock },
          {
            head: t("common.actions"),
            actions: true,
            cell: (p) => (
              <button type="button" class="link" aria-expanded={open === p.id ? "true" : "false"} onClick={() => setOpen(open === p.id ? null : p.id!)}>
                {t("catalogue.stockButton")}
              </button>
            ),
          },
        ]}
      />
      <ActionForm class="card" action={a} title={t("catalogue.add")} submit={t("catalogue.addButton")} shownFields={["name", "category", "price_cents", "stock"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/merchants/{mid}/products", { params: { path: mp(), header: { "Idempotency-Key": idempotencyKey() } as never }, body: { name, price_cents: Math.round(Number(price) * 100), stock: Number(stock), category: category || undefined } as never }));
        setName("");
        setPrice("");
        setStock("0");
        reload();
      }}>
        <div class="cols">
          <Field label={t("catalogue.name")} name="name" value={name} onValue={setName} required error={a.fields.name} />
          <Field label={t("catalogue.category")} name="category" value={category} onValue={setCategory} error={a.fields.category} />
          <Field label={t("catalogue.price")} name="price_cents" type="number" min="0" step="0.01" value={price} onValue={setPrice} required error={a.fields.price_cents} />
          <Field label={t("catalogue.stock")} name="stock" type="number" min="0" step="1" value={stock} onValue={setStock} required error={a.fields.stock} />
        </div>
      </ActionForm>
    </section>
  );
}
