import { expect, test } from "@playwright/test";
import { Api, CID, axe, demo, shot, signIn } from "./helpers";

// Delivery with a slot: the shop's open slots at checkout (time in the community's zone,
// places left), one is required, a slot that fills meanwhile is refused (409 slot-full) with
// the list refreshed, and the order shows the slot it booked.
test.describe.configure({ mode: "serial" });

const OLIVE = "olive@demo.courtyard.local";
const HOUR = 3600_000;

async function merchantOf(owner: Api): Promise<number> {
  return (await owner.get("/v1/me")).roles.find((r: any) => r.role === "merchant" && r.community_id === CID).merchant_id;
}

test("delivery checkout: a slot is required, a full one is refused and the list refreshed, the order shows its slot", async ({ page }) => {
  test.setTimeout(120_000);
  const manager = await Api.login(demo("manager"));
  const alice = await Api.login(demo("alice"));
  const bob = await Api.login(demo("bob"));
  const olive = await Api.login(OLIVE);
  const mid = await merchantOf(olive);
  const products = (await olive.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items;
  const eggs = products.find((p: any) => p.name === "Free-range eggs (6)");
  await olive.post(`/v1/communities/${CID}/merchants/${mid}/products/${eggs.id}/stock`, { delta: 5, reason: "purchase" });
  for (const who of [alice, bob]) await manager.post(`/v1/communities/${CID}/wallets/${(await who.get("/v1/me")).id}/top-ups`, { amount_cents: 2000 }, true);

  // Two windows three days out: one with a single place, one roomy.
  const start = (Math.floor(Date.now() / HOUR) + 72) * HOUR;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
  const last = await olive.post(`/v1/communities/${CID}/merchants/${mid}/delivery-slots`, { starts_at: iso(start), ends_at: iso(start + 2 * HOUR), capacity: 1 });
  const roomy = await olive.post(`/v1/communities/${CID}/merchants/${mid}/delivery-slots`, { starts_at: iso(start + 3 * HOUR), ends_at: iso(start + 5 * HOUR), capacity: 5 });

  await signIn(page, "/app/", demo("alice"));
  await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
  // Home names what waits: parcels at the office and open group buys, each a tap away.
  const waiting = page.getByRole("region", { name: "Parcels & group buys" });
  await expect(waiting.getByTestId("home-parcels")).toHaveText(/parcels? waiting at the office|No parcels waiting\./);
  await expect(waiting.getByTestId("home-group-buys")).toHaveAttribute("href", "/app/group-buys");
  await page.getByRole("link", { name: "Shop", exact: true }).click();
  await page.getByRole("link", { name: /Olive's Greens/ }).click();
  await page.getByRole("button", { name: "Add one Free-range eggs (6)" }).click();
  await page.getByRole("link", { name: /View cart/ }).click();
  await page.getByLabel("Delivery to my door").check();

  const picker = page.getByRole("group", { name: "Delivery time" });
  const slot = (id: number) => picker.locator(`[data-slot="${id}"]`);
  await expect(slot(last.id)).toContainText("1 place left");
  await expect(slot(roomy.id)).toContainText("5 places left");
  // The window in the community's time zone and the app's language.
  const tz = (await alice.get(`/v1/communities/${CID}`)).timezone || "UTC";
  const fmt = new Intl.DateTimeFormat("en", { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: tz });
  const roomyWhen = fmt.formatRange(new Date(start + 3 * HOUR), new Date(start + 5 * HOUR));
  await expect(slot(roomy.id).locator(".slot-when")).toHaveText(roomyWhen);

  // Paying without a slot: asked to choose one, nothing sent.
  const balance = async () => (await alice.get(`/v1/me/wallet?community_id=${CID}&limit=1`)).balance_cents;
  const before = await balance();
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(picker.getByRole("alert")).toHaveText("Choose a delivery time.");
  await shot(page, "app-checkout-slots");
  await axe(page);

  // Alice picks the last place; Bob takes it first (through the API).
  await slot(last.id).getByRole("radio").check();
  const bobs = await bob.post(`/v1/communities/${CID}/orders`, { merchant_id: mid, items: [{ product_id: eggs.id, quantity: 1 }], fulfilment: "delivery", slot_id: last.id });
  expect(bobs.delivery_slot_id).toBe(last.id);
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That delivery time has just filled up." })).toBeVisible();
  await expect(slot(last.id)).toHaveCount(0);
  await expect(slot(roomy.id)).toBeVisible();
  await expect(slot(roomy.id).getByRole("radio")).not.toBeChecked();
  expect(await balance()).toBe(before);
  await shot(page, "app-checkout-slot-full");
  await axe(page);

  await slot(roomy.id).getByRole("radio").check();
  await page.getByRole("button", { name: /^Pay/ }).click();
  await expect(page).toHaveURL(/\/app\/orders\/\d+$/);
  const oid = Number(page.url().split("/").pop());
  await expect(page.getByTestId("order-slot")).toHaveText(`Delivery time: ${roomyWhen}`);
  await expect(page.getByRole("link", { name: /The code to give the courier/ })).toHaveAttribute("href", "/app/parcels");
  const order = await alice.get(`/v1/communities/${CID}/orders/${oid}`);
  expect(order.fulfilment).toBe("delivery");
  expect(order.delivery_slot.id).toBe(roomy.id);
  await shot(page, "app-order-slot");
  await axe(page);

  // In Chinese the same window reads in Chinese.
  await page.evaluate(() => localStorage.setItem("cy.lang", "zh-CN"));
  await page.reload();
  const zh = new Intl.DateTimeFormat("zh-CN", { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: tz }).formatRange(new Date(start + 3 * HOUR), new Date(start + 5 * HOUR));
  await expect(page.getByTestId("order-slot")).toHaveText(`配送时间： ${zh}`);
  await page.evaluate(() => localStorage.setItem("cy.lang", "en"));
});
