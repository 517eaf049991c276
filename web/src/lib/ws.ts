// Live notifications over /v1/ws. Same-origin upgrade carries the session cookie; with the
// bearer fallback the token goes as ?token= (browsers cannot set headers on WebSocket).
// Reconnects with backoff; listeners get every `{"type":"notification"}` message.
import { signal } from "@preact/signals";
import { auth, type Schemas } from "../api/client";

export type Notification = Schemas["Notification"];
type Listener = (n: Notification) => void;

export const wsConnected = signal(false);
const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let stopped = true;
let retry = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

export function onNotification(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function url(): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const token = auth.bearer();
  return `${proto}//${location.host}/v1/ws${token ? `?token=${encodeURIComponent(token)}` : ""}`;
}

function open() {
  if (stopped) return;
  const ws = new WebSocket(url());
  socket = ws;
  ws.onopen = () => {
    retry = 0;
    wsConnected.value = true;
  };
  ws.onmessage = (ev) => {
    try {
      const msg = JSON.parse(String(ev.data));
      if (msg?.type === "notification" && msg.notification) for (const l of listeners) l(msg.notification);
    } catch {
      /* not JSON: ignore */
    }
  };
  ws.onclose = () => {
    wsConnected.value = false;
    if (socket === ws) socket = null;
    if (stopped) return;
    const delay = Math.min(30000, 1000 * 2 ** retry++) * (0.5 + Math.random() / 2);
    timer = setTimeout(open, delay);
  };
}

export function connectLive() {
  if (!stopped) return;
  stopped = false;
  retry = 0;
  open();
}

export function disconnectLive() {
  stopped = true;
  clearTimeout(timer);
  socket?.close();
  socket = null;
  wsConnected.value = false;
}
