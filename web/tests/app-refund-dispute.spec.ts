import { expect, test } from "@playwright/test";
import { Api, CID, axe, demo, shot, signIn } from "./helpers";

// A refund the shop declines: the resident asks for it in the app, the merchant declines it
// through the API, the resident disputes by tapping and sees it disputed; the property office
// then decides in the portal and the app shows the decision.
test("refund declined by the shop, disputed in the app, decided by the office", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const manager = await Api.login(demo("manager"));
  const alice = await Api.login(demo("alice"));
  const carol = await Api.login(demo("carol"));
  const mid = (await carol.get("/v1/me")).roles.find((r: any) => r.role === "merchant" && r.community_id === CID).merchant_id;
  const loaf = (await carol.get(`/v1/communities/${CID}/merchants/${mid}/products?limit=50`)).items.find((p: any) => p.name === "Sourdough loaf");
  await carol.post(`/v1/communities/${CID}/merchants/${mid}/products/${loaf.id}/stock`, { delta: 2, reason: "purchase" });
  await manager.post(`/v1/communities/${CID}/wallets/${(await alice.get("/v1/me")).id}/top-ups`, { amount_cents: 1000 }, true);
  // A completed order: placed, accepted, ready, picked up.
  const order = await alice.post(`/v1/communities/${CID}/orders`, { merchant_id: mid, items: [{ product_id: loaf.id, quantity: 1 }], fulfilment: "pickup" });
  await carol.post(`/v1/communities/${CID}/orders/${order.id}/accept`);
  await carol.post(`/v1/communities/${CID}/orders/${order.id}/ready`);
  await carol.post(`/v1/communities/${CID}/merchants/${mid}/redemptions`, { code: order.redemption_code });

  await signIn(page, `/app/orders/${order.id}`, demo("alice"));
  await expect(page.locator(".order-status")).toContainText("Completed");
  const refunds = page.getByRole("region", { name: "Refunds" });
  await refunds.getByRole("button", { name: "Ask for a refund" }).click();
  await refunds.getByLabel("The whole order").check();
  await refunds.getByLabel("Why? (the shop sees this)").fill("The loaf was mouldy inside.");
  await refunds.getByRole("button", { name: "Send request" }).click();
  const card = refunds.locator("[data-refund]");
  await expect(card.getByTestId("refund-status")).toHaveText("Requested");
  const rid = Number(await card.getAttribute("data-refund"));

  // The shop declines (through the API): the open refund is looked at again every few seconds.
  await carol.post(`/v1/communities/${CID}/refunds/${rid}/decline`, { reason: "It was fresh when it left the shop." });
  await expect(card.getByTestId("refund-status")).toHaveText("Declined", { timeout: 20_000 });
  await expect(card.getByText("The shop said: It was fresh when it left the shop.")).toBeVisible();
  await shot(page, "app-refund-declined");
  await axe(page);

  // The resident disputes it by tapping.
  await card.getByRole("button", { name: "Dispute this decision" }).click();
  await card.getByLabel("Why do you disagree? (the property office decides)").fill("Photo sent to the office: green spots all through.");
  await shot(page, "app-refund-dispute-form");
  await axe(page);
  await card.getByRole("button", { name: "Send dispute" }).click();
  await expect(card.getByTestId("refund-status")).toHaveText("Disputed");
  await expect(card.getByText("Your dispute: Photo sent to the office: green spots all through.")).toBeVisible();
  await expect(card.getByRole("button", { name: "Dispute this decision" })).toHaveCount(0);
  expect((await alice.get(`/v1/communities/${CID}/refunds/${rid}`)).status).toBe("disputed");
  await shot(page, "app-refund-disputed");
  await axe(page);

  // The office upholds the dispute in the portal: refunded, with its reason, in the app
  // without reloading the page.
  const balance = async () => (await alice.get(`/v1/me/wallet?community_id=${CID}&limit=1`)).balance_cents;
  const before = await balance();
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const portal = await office.newPage();
  await signIn(portal, "/portal/", demo("manager"));
  await portal.getByRole("link", { name: "Refund disputes" }).click();
  const disputed = portal.locator(`[data-refund="${rid}"]`);
  await expect(disputed).toContainText("Corner Bakery");
  await expect(disputed).toContainText("The loaf was mouldy inside.");
  await expect(disputed).toContainText("It was fresh when it left the shop.");
  await expect(disputed).toContainText("Photo sent to the office: green spots all through.");
  await disputed.getByLabel("Your reason (both sides see it)").fill("The photos show mould.");
  await shot(portal, "portal-refund-dispute");
  await axe(portal);
  await disputed.getByRole("button", { name: "Refund the resident" }).click();
  await expect(disputed).toHaveCount(0);
  await portal.getByLabel("Status").selectOption("completed");
  await expect(disputed).toContainText("The photos show mould.");
  await office.close();

  await expect(card.getByTestId("refund-status")).toHaveText("Refunded", { timeout: 20_000 });
  await expect(card.getByText("The office decided: The photos show mould.")).toBeVisible();
  const done = await alice.get(`/v1/communities/${CID}/refunds/${rid}`);
  expect(done.amount_cents).toBe(order.total_cents - (order.points_cents ?? 0));
  expect(await balance()).toBe(before + done.amount_cents);
});
