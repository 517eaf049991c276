import { expect, test, type Page } from "@playwright/test";
import { aliceOnMe, Api, CID, axe, call, demo, period, shot, signIn } from "./helpers";

// The shop's newer parts against the real server: checkout with points (capped by the
// programme's share, the server's refusal shown), a refund the merchant accepts through the
// API, product search (Chinese too) with a referral share link, notification preferences.
test.describe.configure({ mode: "serial" });

let oid = 0;

async function bakery(carol: Api): Promise<number> {
  return (await carol.get("/v1/me")).roles.find((r: any) => r.role === "merchant").merchant_id;
}

/** Alice needs points to spend: a bill paid on time earns 100 (demo earn rule). */
async function ensurePoints(alice: Api, manager: Api, least: number): Promise<number> {
  const points = async () => (await alice.get(`/v1/me/membership?community_id=${CID}`)).communities[0]?.points ?? 0;
  if ((await points()) >= least) return settled(points);
  const aliceId = (await alice.get("/v1/me")).id;
  await manager.post(`/v1/communities/${CID}/wallets/${aliceId}/top-ups`, { amount_cents: 100000 }, true);
  for (let i = 0; i < 6 && (await points()) < least; i++) {
    await manager.post(`/v1/communities/${CID}/billing-runs`, { period: period(40 + i) }, true);
    const bills = (await alice.get(`/v1/me/bills?community_id=${CID}&limit=100`)).items.filter((b: any) => b.status !== "paid");
    const before = await points();
    for (const b of bills) await alice.post(`/v1/communities/${CID}/bills/${b.id}/payments`, { method: "wallet" });
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(before);
  }
  await expect.poll(points, { timeout: 15_000 }).toBeGreaterThanOrEqual(least);
  return settled(points);
}

/** Points are earned by event subscribers after the payment commits, one bill at a time:
 *  the balance is only final once it stops moving (two reads a second apart agree). */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  throw new Error("points balance never settled");
}

async function toBakeryCart(page: Page, items: string[]) {
  await page.getByRole("link", { name: "Shop", exact: true }).click();
  await page.getByRole("link", { name: /Corner Bakery/ }).click();
  for (const name of items) await page.getByRole("button", { name: `Add one ${name}` }).click();
  await expect(page.getByRole("link", { name: new RegExp(`View cart \\(${items.length}\\)`) })).toBeVisible();
  await page.getByRole("link", { name: /View cart/ }).click();
}

test("checkout with points: balance shown, the programme's cap explained, points and wallet on the order", async ({ page }) => {
  test.setTimeout(120_000);
  const manager = await Api.login(demo("manager"));
  const alice = await Api.login(demo("alice"));
  const carol = await Api.login(demo("carol"));
  const mid = await bakery(carol);
  // Stock for the two items (earlier tests buy them).
  for (const p of (await carol.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items)
    await carol.post(`/v1/communities/${CID}/merchants/${mid}/products/${p.id}/stock`, { delta: 10, reason: "purchase" });
  const have = await ensurePoints(alice, manager, 200);
  await manager.post(`/v1/communities/${CID}/wallets/${(await alice.get("/v1/me")).id}/top-ups`, { amount_cents: 2000 }, true);

  await signIn(page, "/app/", demo("alice"));
  await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
  // Two croissants (3.60): points may pay at most half, fewer points than Alice has.
  await toBakeryCart(page, ["Croissant", "Croissant"]);
  const pts = page.getByRole("region", { name: "Pay with points" });
  await expect(pts.getByTestId("points-available")).toHaveText(`You have ${have} points.`);
  // More than the programme lets points pay: the server's 422 comes back as the cap.
  await pts.getByLabel("Points to use").fill(String(have));
  await page.getByRole("button", { name: /^Pay/ }).click();
  const cap = pts.getByText(/At most \d+ points can pay for this order\./);
  await expect(cap).toBeVisible();
  const most = Number((await cap.textContent())!.match(/\d+/)![0]);
  expect(most).toBeGreaterThan(0);
  expect(most).toBeLessThan(have);
  await shot(page, "app-checkout-points-cap");
  await axe(page);
  await pts.getByRole("button", { name: `Use ${most} points` }).click();
  await expect(pts.getByLabel("Points to use")).toHaveValue(String(most));
  await page.getByRole("button", { name: /^Pay/ }).click();

  await expect(page.getByTestId("pickup-code")).toBeVisible();
  oid = Number(page.url().split("/").pop());
  const order = await alice.get(`/v1/communities/${CID}/orders/${oid}`);
  expect(order.points_spent).toBe(most);
  await expect(page.getByTestId("points-spent")).toContainText(`Paid with ${most} points`);
  await expect(page.getByTestId("wallet-paid")).toBeVisible();
  await shot(page, "app-order-points");
  await axe(page);
  const after = (await alice.get(`/v1/me/membership?community_id=${CID}`)).communities[0].points;
  expect(after).toBe(have - most);
});

test("refund of one item: requested in the app, accepted by the merchant through the API", async ({ page }) => {
  test.setTimeout(120_000);
  expect(oid).toBeGreaterThan(0);
  const alice = await Api.login(demo("alice"));
  const carol = await Api.login(demo("carol"));
  const mid = await bakery(carol);
  const order = await alice.get(`/v1/communities/${CID}/orders/${oid}`);
  await carol.post(`/v1/communities/${CID}/orders/${oid}/accept`);
  await carol.post(`/v1/communities/${CID}/orders/${oid}/ready`);
  await carol.post(`/v1/communities/${CID}/merchants/${mid}/redemptions`, { code: order.redemption_code });

  await signIn(page, `/app/orders/${oid}`, demo("alice"));
  await expect(page.locator(".order-status")).toContainText("Completed");
  const refunds = page.getByRole("region", { name: "Refunds" });
  await refunds.getByRole("button", { name: "Ask for a refund" }).click();
  await refunds.getByLabel("Some items").check();
  await refunds.getByLabel("Croissant").selectOption("1");
  await refunds.getByLabel("Why? (the shop sees this)").fill("The croissant was squashed.");
  await shot(page, "app-refund-request");
  await axe(page);
  await refunds.getByRole("button", { name: "Send request" }).click();
  const card = refunds.locator("[data-refund]");
  await expect(card.getByTestId("refund-status")).toHaveText("Requested");

  const rid = Number(await card.getAttribute("data-refund"));
  const mine = (await carol.get(`/v1/communities/${CID}/orders/${oid}/refunds`)).items.find((r: any) => r.id === rid);
  expect(mine.items).toEqual([expect.objectContaining({ quantity: 1 })]);
  await carol.post(`/v1/communities/${CID}/refunds/${rid}/accept`, { reason: "Sorry about that." });
  // No notification for refunds: the open one is looked at again every few seconds.
  await expect(card.getByTestId("refund-status")).toHaveText("Refunded", { timeout: 20_000 });
  await expect(card.getByText("The shop said: Sorry about that.")).toBeVisible();
  await expect(card.getByText(/^Refunded /)).toBeVisible();
  await shot(page, "app-refund-completed");
  await axe(page);
});

test("search finds products in English and Chinese; a product shares my referral link, which a neighbour's checkout carries", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const carol = await Api.login(demo("carol"));
  const mid = await bakery(carol);
  const tag = Date.now() % 100000;
  const chinese = `手工全麦面包${tag}`;
  await carol.post(`/v1/communities/${CID}/merchants/${mid}/products`, { name: chinese, price_cents: 520, stock: 10, category: "bakery" });
  const manager = await Api.login(demo("manager"));
  const bob = await Api.login(demo("bob"));
  await manager.post(`/v1/communities/${CID}/wallets/${(await bob.get("/v1/me")).id}/top-ups`, { amount_cents: 2000 }, true);

  await signIn(page, "/app/", demo("alice"));
  await expect(page.getByRole("heading", { name: "Hello, Alice" })).toBeVisible();
  await page.getByRole("link", { name: "Shop", exact: true }).click();
  const box = page.getByRole("searchbox", { name: "Search all shops" });
  await box.fill("sourdough");
  const results = page.getByRole("list", { name: "Search results" });
  await expect(results.locator("[data-hit]", { hasText: "Sourdough loaf" })).toBeVisible();
  await expect(results.getByText(/Corner Bakery/).first()).toBeVisible();
  await box.fill("全麦面包");
  await expect(results.locator("[data-hit]", { hasText: chinese })).toBeVisible();
  await shot(page, "app-search-zh");
  await axe(page);
  await box.fill("zzqqxx");
  await expect(page.getByText("Nothing found for “zzqqxx”.")).toBeVisible();

  // The product page: share with my referral code.
  await box.fill("全麦面包");
  await results.getByRole("link", { name: new RegExp(chinese) }).click();
  await expect(page.getByRole("heading", { name: chinese })).toBeVisible();
  await page.getByRole("button", { name: "Share with a neighbour" }).click();
  const link = page.getByTestId("share-link");
  await expect(link).toBeVisible();
  const url = (await link.getAttribute("href"))!;
  const code = (await page.getByTestId("referral-code").textContent())!;
  expect(url).toContain(`/app/communities/${CID}/merchants/${mid}/products/`);
  expect(url).toContain(`referral_code=${code}`);
  await shot(page, "app-product-share");
  await axe(page);

  // Bob opens the link on his phone, signs in and orders: the code goes with the checkout.
  const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, baseURL: test.info().project.use.baseURL });
  const bobPage = await ctx.newPage();
  await bobPage.goto(new URL(url).pathname + new URL(url).search);
  await bobPage.getByLabel("Email").fill(demo("bob"));
  await bobPage.getByLabel("Password").fill("courtyard-demo");
  await bobPage.getByRole("button", { name: "Sign in" }).click();
  await expect(bobPage.getByRole("heading", { name: chinese })).toBeVisible();
  await bobPage.getByRole("button", { name: `Add one ${chinese}` }).click();
  await bobPage.getByRole("link", { name: /View cart/ }).click();
  await expect(bobPage.getByTestId("referral-note")).toContainText(code);
  await shot(bobPage, "app-cart-referral");
  await bobPage.getByRole("button", { name: /^Pay/ }).click();
  await expect(bobPage.getByTestId("pickup-code")).toBeVisible();
  await ctx.close();
});

test("notification preferences: a grid per category and channel, saved, refusals shown", async ({ page }) => {
  test.setTimeout(90_000);
  const alice = await aliceOnMe(page);
  const prefs = page.getByRole("region", { name: "Notifications" });
  const live = prefs.getByRole("checkbox", { name: "Orders & deliveries: Live" });
  const inApp = prefs.getByRole("checkbox", { name: "Orders & deliveries: In app" });
  await expect(live).toBeChecked();
  const get = async () => (await alice.get("/v1/me/notification-preferences")).categories.find((c: any) => c.category === "orders");

  await live.uncheck();
  await expect(prefs.getByText("Saved.")).toBeVisible();
  await expect.poll(async () => (await get()).push).toBe(false);
  await inApp.uncheck();
  await expect.poll(async () => (await get()).in_app).toBe(false);
  // Live alerts need "In app": the server refuses (422) and the box goes back.
  await live.click(); // (not check(): the box is put back, which check() takes for a failed click)
  await expect(prefs.getByTestId("pref-refused")).toHaveText("Orders & deliveries not changed: live alerts need “In app” on.");
  await expect(live).not.toBeChecked();
  // Account and security notices stay on.
  await prefs.getByRole("checkbox", { name: "Account & security: In app" }).click();
  await expect(prefs.getByTestId("pref-refused")).toContainText("Account & security not changed");
  await expect(prefs.getByRole("checkbox", { name: "Account & security: In app" })).toBeChecked();
  await shot(page, "app-me-notification-prefs");
  await axe(page);

  await inApp.check();
  await live.check();
  await expect.poll(async () => [(await get()).in_app, (await get()).push]).toEqual([true, true]);
  void call;
});

test("home shows the recommendation lists; reviews show the author's trust badge, not an id", async ({ page }) => {
  test.setTimeout(60_000);
  const alice = await Api.login(demo("alice"));
  await signIn(page, "/app/", demo("alice"));
  const recs = page.getByRole("region", { name: "For you" });
  await expect(recs).toBeVisible();
  await expect(recs.locator(".skeleton")).toHaveCount(0);
  const mine = await alice.get(`/v1/me/recommendations?community_id=${CID}`);
  for (const k of ["neighbours_also_bought", "popular_in_your_building", "new_from_your_shops"])
    await expect(recs.locator(`[data-recs="${k}"]`)).toHaveCount(mine[k].length ? 1 : 0);
  await shot(page, "app-home-recommendations");
  await axe(page);

  await page.getByRole("link", { name: "Shop", exact: true }).click();
  await page.getByRole("link", { name: /Corner Bakery/ }).click();
  const badges = page.getByTestId("trust-badge");
  await expect(badges.first()).toBeVisible();
  for (const text of await badges.allTextContents()) expect(text).not.toMatch(/#?\d{2,}$|^\d+$/);
  await shot(page, "app-merchant-trust-badges");
});

test("a shop's owner sees its new orders on the app's home, and they open the order queue", async ({ page }) => {
  test.setTimeout(60_000);
  const bob = await Api.login(demo("bob"));
  const carol = await Api.login(demo("carol"));
  const mid = await bakery(carol);
  const products = (await bob.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items;
  const order = await bob.post(`/v1/communities/${CID}/orders`, { merchant_id: mid, items: [{ product_id: products[0].id, quantity: 1 }], fulfilment: "pickup" }, true);
  await signIn(page, "/app/", demo("carol"));
  const told = page.getByRole("link", { name: new RegExp(`New Order #${order.id}\\b`) });
  await expect(told).toBeVisible({ timeout: 15_000 });
  await expect(told).toHaveAttribute("href", "/portal/orders");
  await shot(page, "app-home-shop-notices");
  await told.click();
  await expect(page).toHaveURL(/\/portal\/orders$/);
  await expect(page.getByRole("heading", { name: /Order queue/ })).toBeVisible();
});
