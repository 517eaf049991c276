// The property manager's screens.
import { useEffect, useState } from "preact/hooks";
import { all, api, idempotencyKey, ok, type Schemas } from "../api/client";
import { currentPeriod, dayOf, money, relativeMinutes } from "../lib/format";
import { t } from "../lib/i18n";
import { cid, me } from "../lib/session";
import { onNotification } from "../lib/ws";
import { ActionForm, Button, DataTable, downloadCsv, ErrorNote, Field, Form, Money, Section, Select, Skeleton, Status, TextArea, Time, useAction, useLoad } from "../ui/kit";
import { BarChart } from "./BarChart";

type Bill = Schemas["Bill"];
type Ticket = Schemas["Ticket"];
const path = () => ({ cid: cid.value });

/** Unit id -> "Block A · 101", for lists that only carry ids. */
export function useUnits() {
  const { data } = useLoad(async () => {
    const map = new Map<number, string>();
    const buildings = await ok(api.GET("/v1/communities/{cid}/buildings", { params: { path: path(), query: { limit: 200 } } }));
    for (const b of buildings.items ?? []) {
      const units = await ok(api.GET("/v1/communities/{cid}/buildings/{bid}/units", { params: { path: { cid: cid.value, bid: b.id }, query: { limit: 200 } } }));
      for (const u of units.items ?? []) map.set(u.id, `${b.name} · ${u.number}`);
    }
    return { map, buildings: buildings.items ?? [] };
  }, [cid.value]);
  return {
    unit: (id: number | undefined) => (id ? (data?.map.get(id) ?? `#${id}`) : ""),
    buildings: data?.buildings ?? [],
  };
}

const ticketStates = ["submitted", "assigned", "in_progress", "resolved", "closed"] as const;

// ---------------------------------------------------------------- dashboard

function TicketChart({ counts }: { counts: Record<string, number> }) {
  return (
    <BarChart
      title={t("dashboard.ticketsByState")}
      labels={ticketStates.map((s) => t(`state.${s}`))}
      values={ticketStates.map((s) => counts[s] ?? 0)}
      described={ticketStates.map((s) => `${t(`state.${s}`)} ${counts[s] ?? 0}`).join(", ")}
    />
  );
}

export function Dashboard() {
  const { data, error } = useLoad(async () => {
    const c = path();
    const [tickets, summary, overdue, pending, merchants] = await Promise.all([
      all((cursor) => ok(api.GET("/v1/communities/{cid}/tickets", { params: { path: c, query: { limit: 200, cursor } } })) as Promise<{ items: Ticket[]; next_cursor: string | null }>),
      ok(api.GET("/v1/communities/{cid}/billing-summary", { params: { path: c } })),
      all((cursor) => ok(api.GET("/v1/communities/{cid}/bills", { params: { path: c, query: { status: "overdue", limit: 200, cursor } } })) as Promise<{ items: Bill[]; next_cursor: string | null }>),
      all((cursor) => ok(api.GET("/v1/communities/{cid}/residency-applications", { params: { path: c, query: { status: "pending", limit: 200, cursor } } })) as Promise<{ items: unknown[]; next_cursor: string | null }>),
      ok(api.GET("/v1/communities/{cid}/merchants", { params: { path: c, query: { status: "approved", limit: 200 } } })),
    ]);
    const counts: Record<string, number> = {};
    for (const tk of tickets) counts[tk.status] = (counts[tk.status] ?? 0) + 1;
    const today = dayOf(new Date());
    const openedToday = tickets.filter((tk) => dayOf(tk.created_at) === today).length;
    // Orders today: sales credited to the merchants' wallets today (managers may read them).
    let ordersToday = 0;
    let salesToday = 0;
    for (const m of merchants.items ?? []) {
      if (!m.id) continue;
      const w = await api.GET("/v1/communities/{cid}/merchants/{mid}/wallet", { params: { path: { cid: c.cid, mid: m.id }, query: { limit: 200 } as never } });
      for (const e of (w.data as Schemas["WalletStatement"] | undefined)?.entries ?? [])
        if (e.created_at && dayOf(e.created_at) === today && (e.amount_cents ?? 0) > 0 && /order|sale/i.test(`${e.kind} ${e.reference}`)) {
          ordersToday++;
          salesToday += e.amount_cents ?? 0;
        }
    }
    const periods = summary.periods ?? [];
    const latest = periods.reduce<(typeof periods)[number] | undefined>((a, p) => (!a || p.period > a.period ? p : a), undefined);
    const rate = latest && latest.billed_cents > 0 ? latest.paid_cents / latest.billed_cents : null;
    return { counts, openedToday, overdue: overdue.length, overdueCents: overdue.reduce((s, b) => s + b.amount_cents, 0), pending: pending.length, latest, rate, ordersToday, salesToday };
  }, [cid.value]);
  return (
    <section>
      <h1>{t("nav.dashboard")}</h1>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={5} />
      ) : (
        <>
          <div class="tiles">
            <a class="tile" href="/portal/tickets">
              <span class="big">{data.openedToday}</span>
              <span>{t("dashboard.ticketsToday")}</span>
            </a>
            <a class="tile" href="/portal/billing">
              <span class="big">{data.rate === null ? "—" : new Intl.NumberFormat(undefined, { style: "percent" }).format(data.rate)}</span>
              <span>{t("dashboard.collection", { period: data.latest?.period ?? "—" })}</span>
            </a>
            <a class="tile" href="/portal/billing">
              <span class="big">{data.overdue}</span>
              <span>
                {t("dashboard.overdue")} · {money(data.overdueCents)}
              </span>
            </a>
            <a class="tile" href="/portal/applications">
              <span class="big">{data.pending}</span>
              <span>{t("dashboard.pending")}</span>
            </a>
            <div class="tile">
              <span class="big">{data.ordersToday}</span>
              <span>
                {t("dashboard.ordersToday")} · {money(data.salesToday)}
              </span>
            </div>
          </div>
          <h2>{t("dashboard.ticketsByState")}</h2>
          <TicketChart counts={data.counts} />
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- residency applications

export function Applications() {
  const [status, setStatus] = useState<"pending" | "approved" | "rejected">("pending");
  const units = useUnits();
  const { data, error, reload } = useLoad(() => ok(api.GET("/v1/communities/{cid}/residency-applications", { params: { path: path(), query: { status, limit: 100 } } })), [cid.value, status]);
  const a = useAction();
  const decide = (id: number, verb: "approve" | "reject") =>
    a.run(async () => {
      if (verb === "approve") await ok(api.POST("/v1/communities/{cid}/residency-applications/{id}/approve", { params: { path: { cid: cid.value, id } } }));
      else await ok(api.POST("/v1/communities/{cid}/residency-applications/{id}/reject", { params: { path: { cid: cid.value, id } } }));
      reload();
    });
  return (
    <section>
      <h1>{t("nav.applications")}</h1>
      <div class="toolbar">
        <Select label={t("common.status")} name="status" value={status} onValue={(v) => setStatus(v as typeof status)} options={["pending", "approved", "rejected"].map((s) => ({ value: s, label: t(`state.${s}`) }))} />
      </div>
      <ErrorNote error={error || a.error} />
      <DataTable
        caption={t("nav.applications")}
        rows={data ? (data.items ?? []) : null}
        empty={t("applications.none")}
        columns={[
          { head: t("applications.applicant"), cell: (app) => <>{app.applicant.display_name}<br /><small>{app.applicant.email}</small></> },
          { head: t("common.unit"), cell: (app) => units.unit(app.unit_id) },
          { head: t("common.date"), cell: (app) => <Time at={app.created_at} /> },
          { head: t("common.status"), cell: (app) => <Status value={app.status} /> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (app) =>
              app.status === "pending" && (
                <>
                  <Button class="primary" busy={a.busy} onClick={() => decide(app.id, "approve")} aria-label={`${t("applications.approve")} ${app.applicant.display_name}`}>
                    {t("applications.approve")}
                  </Button>
                  <Button busy={a.busy} onClick={() => decide(app.id, "reject")} aria-label={`${t("applications.reject")} ${app.applicant.display_name}`}>
                    {t("applications.reject")}
                  </Button>
                </>
              ),
          },
        ]}
      />
    </section>
  );
}

// ---------------------------------------------------------------- fees, billing runs, bills

function FeeSchedules() {
  const { data, error, reload } = useLoad(() => ok(api.GET("/v1/communities/{cid}/fee-schedules", { params: { path: path(), query: { limit: 100 } } })), [cid.value]);
  const [name, setName] = useState("");
  const [amount, setAmount] = useState("");
  const a = useAction();
  return (
    <Section id="fees-h" title={t("billing.fees")}>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={2} />
      ) : (
        <ul class="plain">
          {data.items?.map((f) => (
            <li>
              <strong>{f.name}</strong> · <Money cents={f.amount_cents} /> · {t(`billing.scope.${f.scope}`)} {f.active ? "" : `· ${t("billing.inactive")}`}
            </li>
          ))}
        </ul>
      )}
      <Form class="inline-form" onSubmit={() =>
        a.run(async () => {
          await ok(api.POST("/v1/communities/{cid}/fee-schedules", { params: { path: path() }, body: { name, amount_cents: Math.round(Number(amount) * 100), scope: "community" } }));
          setName("");
          setAmount("");
          reload();
        })
      }>
        <Field label={t("billing.feeName")} name="name" value={name} onValue={setName} required error={a.fields.name} />
        <Field label={t("billing.amount")} name="amount_cents" type="number" min="0.01" step="0.01" value={amount} onValue={setAmount} required error={a.fields.amount_cents} />
        <Button type="submit" busy={a.busy}>
          {t("billing.addFee")}
        </Button>
        <ErrorNote error={a.error} shownFields={["name", "amount_cents"]} />
      </Form>
    </Section>
  );
}

function BillingRun({ onDone }: { onDone: () => void }) {
  const [period, setPeriod] = useState(currentPeriod());
  const [result, setResult] = useState<Schemas["BillingRun"] | null>(null);
  const a = useAction();
  return (
    <Section id="run-h" title={t("billing.run")}>
      <Form class="inline-form" onSubmit={() =>
        a.run(async () => {
          const r = await ok(api.POST("/v1/communities/{cid}/billing-runs", { params: { path: path(), header: { "Idempotency-Key": idempotencyKey() } as never }, body: { period } }));
          setResult(r);
          onDone();
        })
      }>
        <Field label={t("billing.period")} name="period" value={period} onValue={setPeriod} pattern="[0-9]{4}-(0[1-9]|1[0-2])" hint="YYYY-MM" required error={a.fields.period} />
        <Button type="submit" class="primary" busy={a.busy}>
          {t("billing.runButton")}
        </Button>
      </Form>
      {a.busy && (
        <p role="status">
          <progress aria-label={t("common.working")} /> {t("common.working")}
        </p>
      )}
      <ErrorNote error={a.error} shownFields={["period"]} />
      {result && (
        <p role="status" class="ok">
          {t("billing.runResult", { created: result.bills_created, total: result.bills_total, period: result.period })}
        </p>
      )}
    </Section>
  );
}

function Bills({ version }: { version: number }) {
  const [status, setStatus] = useState<"" | "unpaid" | "paid" | "overdue">("");
  const [items, setItems] = useState<Bill[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const units = useUnits();
  const a = useAction();
  const load = async (more: boolean) => {
    const r = await ok(api.GET("/v1/communities/{cid}/bills", { params: { path: path(), query: { status: status || undefined, limit: 50, cursor: more ? (cursor ?? undefined) : undefined } } }));
    setItems((prev) => [...(more && prev ? prev : []), ...((r.items ?? []) as Bill[])]);
    setCursor(r.next_cursor);
  };
  useEffect(() => {
    setItems(null);
    a.run(() => load(false));
  }, [cid.value, status, version]);
  const pay = (b: Bill) =>
    a.confirmed(t("billing.confirmOffline", { amount: money(b.amount_cents), unit: units.unit(b.unit_id) }), async () => {
      const paid = await ok(api.POST("/v1/communities/{cid}/bills/{id}/payments", { params: { path: { cid: cid.value, id: b.id }, header: { "Idempotency-Key": idempotencyKey() } as never }, body: { method: "offline" } }));
      setItems((list) => list?.map((x) => (x.id === b.id ? (paid as Bill) : x)) ?? null);
    });
  return (
    <section aria-labelledby="bills-h">
      <div class="row between">
        <h2 id="bills-h">{t("billing.bills")}</h2>
        <Button
          onClick={() =>
            downloadCsv(`bills-${cid.value}.csv`, [
              ["id", "unit", "name", "period", "amount", "status", "due_at", "paid_at", "method"],
              ...(items ?? []).map((b) => [b.id, units.unit(b.unit_id), b.name, b.period, (b.amount_cents / 100).toFixed(2), b.status, b.due_at, b.paid_at, b.method]),
            ])
          }
          disabled={!items?.length}
        >
          {t("common.exportCsv")}
        </Button>
      </div>
      <div class="toolbar">
        <Select label={t("common.status")} name="bill-status" value={status} onValue={(v) => setStatus(v as typeof status)} options={[{ value: "", label: t("common.all") }, ...["unpaid", "overdue", "paid"].map((s) => ({ value: s, label: t(`state.${s}`) }))]} />
      </div>
      <ErrorNote error={a.error} />
      <DataTable
        caption={t("billing.bills")}
        rows={items}
        empty={t("billing.noBills")}
        rowProps={(b) => ({ "data-bill": b.id })}
        columns={[
          { head: t("common.unit"), cell: (b) => units.unit(b.unit_id) },
          { head: t("billing.fee"), cell: (b) => b.name },
          { head: t("billing.period"), cell: (b) => b.period },
          { head: t("billing.amount"), num: true, cell: (b) => <Money cents={b.amount_cents} /> },
          { head: t("billing.due"), cell: (b) => <Time at={b.due_at} opts={{ dateStyle: "medium" }} /> },
          { head: t("common.status"), cell: (b) => <><Status value={b.status} /> {b.method && <small>({t(`billing.method.${b.method}`)})</small>}</> },
          {
            head: t("common.actions"),
            actions: true,
            cell: (b) =>
              b.status !== "paid" && (
                <Button busy={a.busy} onClick={() => pay(b)} aria-label={`${t("billing.recordOffline")}: ${units.unit(b.unit_id)} ${b.period}`}>
                  {t("billing.recordOffline")}
                </Button>
              ),
          },
        ]}
      />
      {cursor && (
        <Button busy={a.busy} onClick={() => a.run(() => load(true))}>
          {t("common.more")}
        </Button>
      )}
    </section>
  );
}

export function Billing() {
  const [version, setVersion] = useState(0);
  return (
    <section>
      <h1>{t("nav.billing")}</h1>
      <div class="cols">
        <FeeSchedules />
        <BillingRun onDone={() => setVersion((v) => v + 1)} />
      </div>
      <Bills version={version} />
    </section>
  );
}

// ---------------------------------------------------------------- tickets

function TicketCard({ tk, staff, unit, onChange }: { tk: Ticket; staff: Schemas["StaffMember"][]; unit: string; onChange: (t: Ticket) => void }) {
  const [note, setNote] = useState("");
  const [assignee, setAssignee] = useState(String(me.value?.id ?? ""));
  const [history, setHistory] = useState<Schemas["TicketWithHistory"]["history"] | null>(null);
  const a = useAction();
  const p = { cid: cid.value, id: tk.id };
  const late = tk.status !== "resolved" && tk.status !== "closed" && tk.age_minutes > 24 * 60;
  const act = (fn: () => Promise<Schemas["TicketWithHistory"]>) =>
    a.run(async () => {
      const r = await fn();
      onChange(r);
      if (history) setHistory(r.history);
    });
  return (
    <article class={`ticket${late ? " late" : ""}`} aria-labelledby={`tk-${tk.id}`} data-ticket={tk.id}>
      <h3 id={`tk-${tk.id}`}>
        #{tk.id} {tk.category}
      </h3>
      <p>{tk.description}</p>
      <p class="meta">
        {unit} · <span title={t("tickets.age")}>{relativeMinutes(tk.age_minutes)}</span>
        {late && <strong class="late-flag"> · {t("tickets.overSla")}</strong>}
      </p>
      {tk.resolution_note && <p class="meta">✔ {tk.resolution_note}</p>}
      {tk.status === "submitted" && (
        <div class="inline-form">
          <Select label={t("tickets.assignTo")} name="staff_id" value={assignee} onValue={setAssignee} options={staff.filter((s) => s.role === "manager").map((s) => ({ value: s.account_id, label: s.display_name }))} error={a.fields.staff_id} />
          <Button busy={a.busy} onClick={() => act(() => ok(api.POST("/v1/communities/{cid}/tickets/{id}/assign", { params: { path: p }, body: { staff_id: Number(assignee) } })))}>
            {t("tickets.assign")}
          </Button>
        </div>
      )}
      {tk.status === "assigned" && (
        <Button busy={a.busy} onClick={() => act(() => ok(api.POST("/v1/communities/{cid}/tickets/{id}/start", { params: { path: p } })))}>
          {t("tickets.start")}
        </Button>
      )}
      {(tk.status === "in_progress" || tk.status === "assigned") && (
        <Form class="inline-form" onSubmit={() => act(() => ok(api.POST("/v1/communities/{cid}/tickets/{id}/resolve", { params: { path: p }, body: { note } })))}>
          <Field label={t("tickets.note")} name="note" value={note} onValue={setNote} required error={a.fields.note} />
          <Button type="submit" class="primary" busy={a.busy}>
            {t("tickets.resolve")}
          </Button>
        </Form>
      )}
      <ErrorNote error={a.error} shownFields={["note", "staff_id"]} />
      <button
        type="button"
        class="link"
        aria-expanded={history ? "true" : "false"}
        onClick={() => (history ? setHistory(null) : a.run(async () => setHistory((await ok(api.GET("/v1/communities/{cid}/tickets/{id}", { params: { path: p } }))).history)))}
      >
        {t("tickets.history")}
      </button>
      {history && (
        <ol class="history">
          {history.map((h) => (
            <li>
              <Time at={h.at} />: {h.from ? t(`state.${h.from}`) : "—"} → {t(`state.${h.to}`)} {h.note ? `(${h.note})` : ""}
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

export function Tickets() {
  const units = useUnits();
  const { data, error, setData, reload } = useLoad(async () => {
    const [tickets, staff] = await Promise.all([
      all((cursor) => ok(api.GET("/v1/communities/{cid}/tickets", { params: { path: path(), query: { limit: 200, cursor } } })) as Promise<{ items: Ticket[]; next_cursor: string | null }>),
      ok(api.GET("/v1/communities/{cid}/staff", { params: { path: path(), query: { limit: 200 } } })),
    ]);
    return { tickets, staff: (staff.items ?? []) as Schemas["StaffMember"][] };
  }, [cid.value]);
  useEffect(() => onNotification((n) => n.type.startsWith("ticket") && reload()), []);
  const update = (tk: Ticket) => data && setData({ ...data, tickets: data.tickets.map((x) => (x.id === tk.id ? { ...x, ...tk } : x)) });
  return (
    <section>
      <div class="row between">
        <h1>{t("nav.tickets")}</h1>
        <Button onClick={reload}>{t("common.refresh")}</Button>
      </div>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton lines={6} />
      ) : (
        <div class="board">
          {ticketStates.map((s) => {
            const list = data.tickets.filter((tk) => tk.status === s);
            return (
              <section class="column" aria-labelledby={`col-${s}`} data-column={s}>
                <h2 id={`col-${s}`}>
                  {t(`state.${s}`)} <span class="count">{list.length}</span>
                </h2>
                {list.map((tk) => (
                  <TicketCard key={tk.id} tk={tk} staff={data.staff} unit={units.unit(tk.unit_id)} onChange={update} />
                ))}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- announcements

export function Announcements() {
  const units = useUnits();
  const { data, error, reload } = useLoad(() => ok(api.GET("/v1/communities/{cid}/announcements", { params: { path: path(), query: { limit: 50 } as never } })), [cid.value]);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [building, setBuilding] = useState("");
  const a = useAction();
  return (
    <section>
      <h1>{t("nav.announcements")}</h1>
      <ActionForm class="card" action={a} title={t("announcements.new")} submit={t("announcements.publish")} shownFields={["title", "body", "building_id"]} onSubmit={async () => {
        await ok(api.POST("/v1/communities/{cid}/announcements", { params: { path: path() }, body: { title, body, building_id: building ? Number(building) : null } }));
        setTitle("");
        setBody("");
        reload();
      }}>
        <Field label={t("announcements.title")} name="title" value={title} onValue={setTitle} required error={a.fields.title} />
        <TextArea label={t("announcements.body")} name="body" value={body} onValue={setBody} required error={a.fields.body} />
        <Select label={t("announcements.audience")} name="building_id" value={building} onValue={setBuilding} error={a.fields.building_id} options={[{ value: "", label: t("announcements.everyone") }, ...units.buildings.map((b) => ({ value: b.id, label: b.name }))]} />
      </ActionForm>
      <ErrorNote error={error} />
      {!data ? (
        <Skeleton />
      ) : (
        <ul class="plain announcements">
          {data.items?.map((n) => (
            <li class="card">
              <h3>{n.title}</h3>
              <p>{n.body}</p>
              <p class="meta">
                <Time at={n.created_at} />
              </p>
              {n.audience_count !== undefined && (
                <p class="meta">
                  <label>
                    {t("announcements.read", { read: n.read_count ?? 0, total: n.audience_count })}{" "}
                    <progress max={Math.max(n.audience_count, 1)} value={n.read_count ?? 0} />
                  </label>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
