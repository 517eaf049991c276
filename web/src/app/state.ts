import { signal } from "@preact/signals";
import { signOut } from "../lib/session";
import { forgetCodes } from "./codes";

export const A = "/app";
export const online = signal(typeof navigator === "undefined" ? true : navigator.onLine);
addEventListener("online", () => (online.value = true));
addEventListener("offline", () => (online.value = false));

export async function leave() {
  forgetCodes();
  await signOut();
}
