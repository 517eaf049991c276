import { expect, test } from "@playwright/test";
import { Api, CID, axe, call, demo, meId, period, shot, signIn, unitId } from "./helpers";

test.describe.configure({ mode: "serial" });

test("manager: dashboard, approve an application, billing, offline payment, ticket, announcement", async ({ page }) => {
  page.on("dialog", (d) => d.accept());
  const manager = await Api.login(demo("manager"));

  // A newcomer applies for unit 202 through the API.
  const email = `applicant-${Date.now()}@test.local`;
  await call("POST", "/v1/auth/register", { email, password: "applicant-pass", display_name: "Pat Applicant" });
  const applicant = await Api.login(email, "applicant-pass");
  const unit = await unitId(manager, "202");
  const application = await applicant.post(`/v1/communities/${CID}/residency-applications`, { unit_id: unit });

  await signIn(page, "/portal/", demo("manager"));
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("pending applications")).toBeVisible();
  await expect(page.locator(".chart canvas")).toBeVisible();
  await shot(page, "portal-dashboard");
  await axe(page);

  // Approve.
  await page.getByRole("link", { name: "Residency applications" }).click();
  await page.getByRole("button", { name: "Approve Pat Applicant" }).click();
  await expect(page.getByRole("button", { name: "Approve Pat Applicant" })).toHaveCount(0);
  expect((await applicant.get(`/v1/communities/${CID}/residency-applications/${application.id}`)).status).toBe("approved");
  await shot(page, "portal-applications");

  // Billing run for the current period, then an offline payment.
  await page.getByRole("link", { name: "Fees & bills" }).click();
  await page.getByLabel("Period").fill(period(0));
  await page.getByRole("button", { name: "Bill this period" }).click();
  await expect(page.getByText(new RegExp(`${period(0)}: \\d+ new bills`))).toBeVisible();
  const row = page.locator("tr", { has: page.getByRole("button", { name: /Record offline payment/ }) }).first();
  const billId = await row.getAttribute("data-bill");
  await row.getByRole("button", { name: /Record offline payment/ }).click();
  await expect(page.locator(`tr[data-bill="${billId}"]`).getByText("Paid")).toBeVisible();
  expect((await manager.get(`/v1/communities/${CID}/bills/${billId}`)).method).toBe("offline");
  await shot(page, "portal-billing");
  await axe(page);

  // A resident reports a repair; the manager moves it open -> resolved.
  const alice = await Api.login(demo("alice"));
  const ticket = await alice.post(`/v1/communities/${CID}/tickets`, { unit_id: await unitId(manager, "101"), category: "plumbing", description: "Dripping kitchen tap" });
  await page.getByRole("link", { name: "Repair tickets" }).click();
  const card = page.locator(`[data-ticket="${ticket.id}"]`);
  await expect(page.locator('[data-column="submitted"]').locator(`[data-ticket="${ticket.id}"]`)).toBeVisible();
  await card.getByRole("button", { name: "Assign", exact: true }).click();
  await expect(page.locator('[data-column="assigned"]').locator(`[data-ticket="${ticket.id}"]`)).toBeVisible();
  await card.getByRole("button", { name: "Start work" }).click();
  await expect(page.locator('[data-column="in_progress"]').locator(`[data-ticket="${ticket.id}"]`)).toBeVisible();
  await card.getByLabel("Resolution note").fill("Washer replaced");
  await card.getByRole("button", { name: "Resolve" }).click();
  await expect(page.locator('[data-column="resolved"]').locator(`[data-ticket="${ticket.id}"]`)).toBeVisible();
  await card.getByRole("button", { name: "History" }).click();
  await expect(card.locator(".history li")).toHaveCount(4);
  expect((await manager.get(`/v1/communities/${CID}/tickets/${ticket.id}`)).status).toBe("resolved");
  await shot(page, "portal-tickets");
  await axe(page);

  // Publish an announcement; read progress is shown.
  await page.getByRole("link", { name: "Announcements" }).click();
  const title = `Water off on Friday ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Message").fill("From 9 to 11 for the tap repairs.");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.locator("li", { hasText: title }).getByText(/Read by \d+ of \d+/)).toBeVisible();
  await shot(page, "portal-announcements");
  await axe(page);

  // Chinese: the same screen translated.
  await page.getByLabel("Language").first().selectOption("zh-CN");
  await expect(page.getByRole("heading", { name: "公告", exact: true })).toBeVisible();
  await shot(page, "portal-announcements-zh");
  await page.getByLabel("语言").first().selectOption("en");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  void meId;
});

test("merchant: an order arrives live, accept, ready, redeem the code", async ({ page }) => {
  await signIn(page, "/portal/", demo("carol"));
  await expect(page.getByRole("heading", { name: /Order queue/ })).toBeVisible();
  await shot(page, "merchant-queue-empty");

  // Bob orders through the API while the queue is open.
  const bob = await Api.login(demo("bob"));
  const carol = await Api.login(demo("carol"));
  const mid = (await carol.get("/v1/me")).roles.find((r: any) => r.role === "merchant").merchant_id;
  const products = (await bob.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items;
  const order = await bob.post(`/v1/communities/${CID}/orders`, { merchant_id: mid, items: [{ product_id: products[0].id, quantity: 1 }], fulfilment: "pickup" }, true);

  const card = page.locator(`[data-order="${order.id}"]`);
  await expect(page.locator('[data-column="placed"]').locator(`[data-order="${order.id}"]`)).toBeVisible({ timeout: 15_000 });
  await expect(card.getByText("New")).toBeVisible();
  await expect(page.getByRole("navigation").locator(".count")).toBeVisible();
  await shot(page, "merchant-queue-new-order");
  await axe(page);
  await card.getByRole("button", { name: "Accept" }).click();
  await expect(page.locator('[data-column="accepted"]').locator(`[data-order="${order.id}"]`)).toBeVisible();
  await card.getByRole("button", { name: "Mark ready" }).click();
  await expect(page.locator('[data-column="ready"]').locator(`[data-order="${order.id}"]`)).toBeVisible();

  await page.getByRole("link", { name: "Redeem a code" }).click();
  await page.getByLabel("Pickup code").fill(order.redemption_code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.getByText(`Order #${order.id} handed over.`)).toBeVisible();
  expect((await bob.get(`/v1/communities/${CID}/orders/${order.id}`)).status).toBe("completed");
  // The same code again: a message in words, next to the form.
  await page.getByLabel("Pickup code").fill(order.redemption_code);
  await page.getByRole("button", { name: "Redeem", exact: true }).click();
  await expect(page.locator(".error, .field-error").first()).toBeVisible();
  await shot(page, "merchant-redeem");
  await axe(page);

  await page.getByRole("link", { name: "Catalogue & stock" }).click();
  await expect(page.getByRole("cell", { name: products[0].name })).toBeVisible();
  await shot(page, "merchant-catalogue");
  await axe(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("portal at tablet size", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, "/portal/", demo("manager"));
  await page.getByRole("link", { name: "Repair tickets" }).click();
  await expect(page.getByRole("heading", { name: "Repair tickets" })).toBeVisible();
  await shot(page, "portal-tickets-tablet");
});
