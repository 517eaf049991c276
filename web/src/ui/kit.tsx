// Small shared components: fields with their error, buttons with progress, money, time, QR.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { friendly } from "../lib/errors";
import { t } from "../lib/i18n";
import { dateTime, money } from "../lib/format";

let seq = 0;
export const useId = (prefix = "f") => useRef(`${prefix}-${++seq}`).current;

/** Runs an async action with busy state and the error it threw (for messages next to fields). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  /** `run`, once the user said yes to `question` (nothing happens on no). */
  const confirmed = <T,>(question: string, fn: () => Promise<T>) => run(async () => (confirm(question) ? fn() : undefined));
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  return { busy, error, fields, run, confirmed, setError };
}

type FieldProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "onInput" | "value" | "label"> & {
  label: string;
  name: string;
  value: string | number;
  onValue: (v: string) => void;
  error?: string;
  hint?: string;
  type?: string;
  required?: boolean;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  autoComplete?: string;
};

export function Field({ label, name, value, onValue, error, hint, type = "text", ...rest }: FieldProps) {
  const id = useId(name);
  const describedBy = [error ? `${id}-err` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy}
        onInput={(e) => onValue((e.currentTarget as HTMLInputElement).value)}
        {...rest}
      />
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export function Select({ label, name, value, onValue, options, error }: { label: string; name: string; value: string | number; onValue: (v: string) => void; options: { value: string | number; label: string }[]; error?: string }) {
  const id = useId(name);
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{label}</label>
      <select id={id} name={name} value={String(value)} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-err` : undefined} onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}>
        {options.map((o) => (
          <option value={String(o.value)}>{o.label}</option>
        ))}
      </select>
      {error && (
        <small id={`${id}-err`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, name, value, onValue, error, required }: { label: string; name: string; value: string; onValue: (v: string) => void; error?: string; required?: boolean }) {
  const id = useId(name);
  return (
    <div class={`field${error ? " has-error" : ""}`}>
      <label for={id}>{label}</label>
      <textarea id={id} name={name} value={value} required={required} rows={3} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-err` : undefined} onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)} />
      {error && (
        <small id={`${id}-err`} class="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** The error of an action in words, unless every problem is already shown next to its field. */
export function ErrorNote({ error, shownFields = [] }: { error: unknown; shownFields?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const fields = Object.keys(error.fieldErrors());
    if (fields.length && fields.every((f) => shownFields.includes(f))) return <p class="error" role="alert">{t("common.fixFields")}</p>;
  }
  return (
    <p class="error" role="alert">
      {friendly(error)}
    </p>
  );
}

export function Button({ busy, children, ...rest }: JSX.HTMLAttributes<HTMLButtonElement> & { busy?: boolean; type?: "button" | "submit"; disabled?: boolean; class?: string }) {
  return (
    <button type="button" {...rest} disabled={busy || rest.disabled} aria-busy={busy ? "true" : undefined}>
      {busy ? <span class="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

type Action = ReturnType<typeof useAction>;

/** A form that stays on the page: submitting it (Enter, or its submit button) calls `onSubmit`. */
export function Form({ onSubmit, children, ...rest }: Omit<JSX.HTMLAttributes<HTMLFormElement>, "onSubmit"> & { onSubmit: () => unknown }) {
  return (
    <form
      {...rest}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * The usual form of the clients: `onSubmit` runs through `action` (busy state, field errors),
 * under an optional <h2> `title` come the fields, then the action's error (unless every problem
 * is shown at its field: `shownFields`), the submit button labelled `submit`, and `footer`.
 */
export function ActionForm({ action, onSubmit, title, submit, shownFields, buttonClass = "primary", disabled, footer, children, ...rest }: Omit<JSX.HTMLAttributes<HTMLFormElement>, "onSubmit" | "title"> & {
  action: Action;
  onSubmit: () => Promise<unknown>;
  title?: ComponentChildren;
  submit: ComponentChildren;
  shownFields?: string[];
  buttonClass?: string;
  disabled?: boolean;
  footer?: ComponentChildren;
}) {
  return (
    <Form {...rest} onSubmit={() => action.run(onSubmit)}>
      {title && <h2>{title}</h2>}
      {children}
      <ErrorNote error={action.error} shownFields={shownFields} />
      <Button type="submit" class={buttonClass} busy={action.busy} disabled={disabled}>
        {submit}
      </Button>
      {footer}
    </Form>
  );
}

/** A rating from one to five stars, as radio buttons. */
export function StarsInput({ value, onValue }: { value: number; onValue: (n: number) => void }) {
  return (
    <fieldset class="stars">
      <legend>{t("shop.rating")}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <label>
          <input type="radio" name="rating" value={n} checked={value === n} onChange={() => onValue(n)} />
          <span aria-hidden="true">{n <= value ? "★" : "☆"}</span>
          <span class="sr-only">{t("shop.stars", { count: n })}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** One toggle chip per option, the chosen one pressed (`children` go after the chips). */
export function Chips<V extends string | number>({ label, options, value, onValue, class: cls = "chips", children }: { label: string; options: { value: V; label: ComponentChildren; attrs?: Record<string, string> }[]; value: V | undefined; onValue: (v: V) => void; class?: string; children?: ComponentChildren }) {
  return (
    <div class={cls} role="group" aria-label={label}>
      {options.map((o) => (
        <button type="button" class="chip" aria-pressed={o.value === value ? "true" : "false"} onClick={() => onValue(o.value)} {...o.attrs}>
          {o.label}
        </button>
      ))}
      {children}
    </div>
  );
}

export const Money = ({ cents }: { cents: number | null | undefined }) => <span class="money">{money(cents)}</span>;
export const Time = ({ at, opts }: { at: string | null | undefined; opts?: Intl.DateTimeFormatOptions }) => (at ? <time dateTime={at}>{dateTime(at, opts)}</time> : null);

// A status region: its label ("Loading") is read out, and ARIA allows a label there (on a
// plain div it is prohibited, which axe reports whenever a page is checked mid-load).
export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div class="skeleton" role="status" aria-busy="true" aria-label={t("common.loading")}>
      {Array.from({ length: lines }, () => (
        <div class="sk-line" />
      ))}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** What was loaded, in its three states: still loading (a skeleton of `lines`), nothing (the
 * `empty` note, when one is given and `data` is an empty list) or `children(data)`. */
export function Loaded<T>({ data, empty, lines = 3, children }: { data: T | null | undefined; empty?: ComponentChildren; lines?: number; children: (data: T) => ComponentChildren }) {
  if (!data) return <Skeleton lines={lines} />;
  if (Array.isArray(data) && !data.length && empty !== undefined) return <Empty>{empty}</Empty>;
  return <>{children(data)}</>;
}

/** A list in its three states: still loading (a skeleton of `lines`), empty (the `empty` note,
 * when one is given) or a <ul class={class}> with one rendered child per item. */
export function ListOf<T>({ items, empty, lines = 3, class: cls, children }: { items: T[] | null | undefined; empty?: ComponentChildren; lines?: number; class?: string; children: (item: T) => ComponentChildren }) {
  return (
    <Loaded data={items} empty={empty} lines={lines}>
      {(items) => <ul class={cls}>{items.map((item) => children(item))}</ul>}
    </Loaded>
  );
}

export function Status({ value }: { value: string | undefined }) {
  return <span class={`badge st-${value}`}>{value ? t(`state.${value}`) : ""}</span>;
}

/** One column of a DataTable: its heading and how a row renders in it. `num` right-aligns
 * figures; `actions` hides the heading from sight (screen readers still hear it). */
export type Column<T> = {
  head: string;
  cell: (row: T) => ComponentChildren;
  num?: boolean;
  actions?: boolean;
  cellClass?: (row: T) => string;
};

/**
 * The one list table of the clients: a skeleton while `rows` is null, the `empty` note when
 * there are none (omit it to show an empty table), otherwise a captioned table. `rowProps`
 * adds attributes (data-* hooks for tests); `expanded` renders a full-width row under a row.
 */
export function DataTable<T>({ caption, rows, columns, empty, rowProps, expanded, skeleton = 3 }: {
  caption: string;
  rows: readonly T[] | null | undefined;
  columns: Column<T>[];
  empty?: ComponentChildren;
  rowProps?: (row: T) => Record<string, string | number | undefined>;
  expanded?: (row: T) => ComponentChildren;
  skeleton?: number;
}) {
  if (!rows) return <Skeleton lines={skeleton} />;
  if (!rows.length && empty !== undefined) return <Empty>{empty}</Empty>;
  const cls = (c: Column<T>, extra = "") => [c.num ? "num" : "", c.actions ? "actions" : "", extra].filter(Boolean).join(" ") || undefined;
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" class={c.num ? "num" : undefined}>
              {c.actions ? <span class="sr-only">{c.head}</span> : c.head}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const more = expanded?.(r);
          return (
            <>
              <tr {...rowProps?.(r)}>
                {columns.map((c) => (
                  <td class={cls(c, c.cellClass?.(r))}>{c.cell(r)}</td>
                ))}
              </tr>
              {more && (
                <tr>
                  <td colSpan={columns.length}>{more}</td>
                </tr>
              )}
            </>
          );
        })}
      </tbody>
    </table>
  );
}

/** A secret the server shows only once (an API key, a webhook signing secret): copy, then dismiss. */
export function ShownOnce({ title, secret, onDone, testId }: { title: string; secret: string; onDone: () => void; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="card key-once" role="status">
      <h2>{title}</h2>
      <p>
        <code class="code-inline" data-testid={testId}>
          {secret}
        </code>
      </p>
      <div class="actions">
        <Button
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? t("apiKeys.copied") : t("apiKeys.copy")}
        </Button>
        <Button onClick={onDone}>{t("apiKeys.stored")}</Button>
      </div>
    </div>
  );
}

/** A QR code drawn on a canvas (qrcode is loaded on first use). */
export function Qr({ text, size = 220, label }: { text: string; size?: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    import("qrcode").then((QR) => {
      if (live && ref.current) QR.toCanvas(ref.current, text, { width: size, margin: 1, errorCorrectionLevel: "M" });
    });
    return () => {
      live = false;
    };
  }, [text, size]);
  return <canvas ref={ref} width={size} height={size} role="img" aria-label={label} class="qr" />;
}

/** Loads data for a view; `reload` re-runs it. Errors stay visible instead of failing silently. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    fn().then(
      (d) => live && setData(d),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1), setData };
}

type PageResult<T> = { items?: T[]; next_cursor?: string | null };

/** A list paged with the API's cursors: the first page on load (and when deps change), `more()` appends. */
export function usePaged<T>(fetchPage: (cursor?: string) => Promise<PageResult<T>>, deps: unknown[] = []) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [n, setN] = useState(0);
  const gen = useRef(0);
  const load = async (more: boolean) => {
    const g = more ? gen.current : ++gen.current;
    setBusy(true);
    setError(null);
    try {
      const r = await fetchPage(more ? (cursor ?? undefined) : undefined);
      if (g !== gen.current) return;
      setItems((prev) => [...(more && prev ? prev : []), ...(r.items ?? [])]);
      setCursor(r.next_cursor ?? null);
    } catch (e) {
      if (g === gen.current) setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setItems(null);
    load(false);
  }, [...deps, n]);
  return {
    items,
    error,
    busy,
    hasMore: !!cursor,
    more: () => load(true),
    reload: () => setN((x) => x + 1),
    setItems,
    /** Puts `item` where the loaded item with its id is (after an action changed it). */
    replace: (item: T) => setItems((prev) => prev?.map((x) => (sameId(x, item) ? item : x)) ?? null),
    /** Shows a newly made item first, or last with `atEnd`. */
    add: (item: T, atEnd = false) => setItems((prev) => (atEnd ? [...(prev ?? []), item] : [item, ...(prev ?? [])])),
  };
}

const sameId = (a: unknown, b: unknown) => (a as { id?: unknown }).id === (b as { id?: unknown }).id;

/** A usePaged list on a page: its error, its items as a ListOf, and "Load more". */
export function PagedList<T>({ list, ...rest }: { list: ReturnType<typeof usePaged<T>>; empty?: ComponentChildren; lines?: number; class?: string; children: (item: T) => ComponentChildren }) {
  return (
    <>
      <ErrorNote error={list.error} />
      <ListOf items={list.items} {...rest} />
      <LoadMore list={list} />
    </>
  );
}

/** A section titled by its <h2> (`id` is the heading's, for aria-labelledby). */
export function Section({ id, title, class: cls, children }: { id: string; title: ComponentChildren; class?: string; children?: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class={cls}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** "Load more" for a usePaged list; nothing when the last page is in. */
export function LoadMore({ list }: { list: { hasMore: boolean; busy: boolean; more: () => void } }) {
  if (!list.hasMore) return null;
  return (
    <Button class="more" busy={list.busy} onClick={list.more}>
      {t("common.more")}
    </Button>
  );
}

type Cell = string | number | boolean | null | undefined;

export function downloadCsv(name: string, rows: Cell[][]) {
  const text = rows.map((r) => r.map((c) => `"${String(c ?? "").replace(/"/g, '""')}"`).join(",")).join("\r\n");
  const url = URL.createObjectURL(new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Client-side CSV of the rows loaded so far (the API has no CSV export). */
export function CsvButton({ name, head, rows }: { name: string; head: string[]; rows: Cell[][] | null | undefined }) {
  return (
    <Button onClick={() => downloadCsv(name, [head, ...(rows ?? [])])} disabled={!rows?.length}>
      {t("common.exportCsv")}
    </Button>
  );
}

/** Scans a QR code with the camera where the browser has BarcodeDetector; otherwise renders nothing. */
export function ScanButton({ onCode, onError }: { onCode: (code: string) => void; onError?: (e: unknown) => void }) {
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const canScan = typeof window !== "undefined" && "BarcodeDetector" in window && !!navigator.mediaDevices?.getUserMedia;
  useEffect(() => {
    if (!scanning) return;
    let stream: MediaStream | undefined;
    let live = true;
    (async () => {
      try {
        type Detector = { detect(src: CanvasImageSource): Promise<{ rawValue: string }[]> };
        const Ctor = (window as unknown as { BarcodeDetector: new (o: object) => Detector }).BarcodeDetector;
        const detector = new Ctor({ formats: ["qr_code"] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        if (!video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        while (live) {
          const found = await detector.detect(video.current).catch(() => []);
          if (found[0]?.rawValue) {
            setScanning(false);
            onCode(found[0].rawValue);
            break;
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      } catch (e) {
        onError?.(e);
        setScanning(false);
      }
    })();
    return () => {
      live = false;
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, [scanning]);
  if (!canScan) return <p class="hint">{t("merchant.noScanner")}</p>;
  return (
    <>
      <Button onClick={() => setScanning((s) => !s)}>{scanning ? t("merchant.stopScan") : t("merchant.scan")}</Button>
      {scanning && <video ref={video} class="scanner" muted playsInline aria-label={t("merchant.camera")} />}
    </>
  );
}

/** A local date-time input value ("YYYY-MM-DDTHH:mm") -> RFC 3339 UTC without milliseconds. */
export function isoFromLocal(v: string): string {
  return new Date(v).toISOString().replace(/\.\d+Z$/, "Z");
}
/** Now + minutes as a datetime-local value in the browser's zone. */
export function localInput(minutesFromNow = 0): string {
  const d = new Date(Date.now() + minutesFromNow * 60e3);
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
}
