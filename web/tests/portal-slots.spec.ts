import { expect, test } from "@playwright/test";
import { Api, CID, axe, demo, shot, signIn } from "./helpers";

// The merchant console's delivery slots: list, publish with start, end and capacity (a bad
// window refused next to its field), close one; residents then no longer see it.
const OLIVE = "olive@demo.courtyard.local";

function local(ms: number): string {
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
}

test("merchant: publish a delivery slot, a bad window refused, close it; residents stop seeing it", async ({ page }) => {
  test.setTimeout(90_000);
  const olive = await Api.login(OLIVE);
  const alice = await Api.login(demo("alice"));
  const mid = (await olive.get("/v1/me")).roles.find((r: any) => r.role === "merchant" && r.community_id === CID).merchant_id;
  const start = (Math.floor(Date.now() / 3600_000) + 24 * 9) * 3600_000;

  await signIn(page, "/portal/", OLIVE);
  await page.getByRole("link", { name: "Delivery slots" }).click();
  await expect(page.getByRole("heading", { name: "Delivery slots" })).toBeVisible();
  const form = page.locator("form", { has: page.getByRole("heading", { name: "New delivery slot" }) });

  // Ends before it starts: the server's 422 next to the field, nothing published.
  const count = (await olive.get(`/v1/communities/${CID}/merchants/${mid}/delivery-slots?limit=200`)).items.length;
  await form.getByLabel("Starts").fill(local(start));
  await form.getByLabel("Ends").fill(local(start - 3600_000));
  await form.getByRole("button", { name: "Publish slot" }).click();
  await expect(form.locator(".field-error")).toBeVisible();
  expect((await olive.get(`/v1/communities/${CID}/merchants/${mid}/delivery-slots?limit=200`)).items.length).toBe(count);

  await form.getByLabel("Ends").fill(local(start + 2 * 3600_000));
  await form.getByLabel("Capacity (orders)").fill("6");
  await form.getByRole("button", { name: "Publish slot" }).click();
  await expect.poll(async () => (await olive.get(`/v1/communities/${CID}/merchants/${mid}/delivery-slots?limit=200`)).items.length).toBe(count + 1);
  const made = (await olive.get(`/v1/communities/${CID}/merchants/${mid}/delivery-slots?limit=200`)).items.find((s: any) => Date.parse(s.starts_at) === start);
  expect(made).toMatchObject({ capacity: 6, status: "open", booked: 0 });
  const row = page.locator(`[data-slot="${made.id}"]`);
  await expect(row).toContainText("0 / 6");
  await expect(row).toContainText("Open");
  const residentSees = async () => (await alice.get(`/v1/communities/${CID}/delivery-slots?merchant_id=${mid}&limit=200`)).items.some((s: any) => s.id === made.id);
  expect(await residentSees()).toBe(true);
  await shot(page, "portal-delivery-slots");
  await axe(page);

  await row.getByRole("button", { name: /^Close the slot/ }).click();
  await expect(row).toContainText("Closed");
  await expect(row.getByRole("button")).toHaveCount(0);
  expect(await residentSees()).toBe(false);
  await axe(page);
});
