import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { aliceOnMe, axe, shot } from "./helpers";

// Me: points and tier from the members service, the privacy choices (marketing off until the
// resident turns it on) and the download of all her data as one JSON document.
test("resident: points and tier, privacy choices, download my data", async ({ page }) => {
  test.setTimeout(90_000);
  const alice = await aliceOnMe(page);

  const points = page.getByRole("region", { name: "Points" });
  await expect(points.getByTestId("points-balance")).toHaveText(/^\d+ points$/);
  const membership = (await alice.get("/v1/me/membership")).communities[0];
  await expect(points.getByTestId("points-balance")).toHaveText(`${membership.points} points`);
  await expect(points.getByText(membership.tier ? `Tier: ${membership.tier.name}` : "No tier yet")).toBeVisible();

  const privacy = page.getByRole("region", { name: "Privacy" });
  const marketing = privacy.getByRole("checkbox", { name: /Offers from shops/ });
  const before = (await alice.get("/v1/me/consents")).marketing;
  await expect(marketing).toBeChecked({ checked: before });
  await marketing.setChecked(!before);
  await expect(privacy.getByText("Saved.")).toBeVisible();
  await expect.poll(async () => (await alice.get("/v1/me/consents")).marketing).toBe(!before);
  await shot(page, "app-me-points-privacy");
  await axe(page);

  const download = page.waitForEvent("download");
  await privacy.getByRole("button", { name: "Download my data" }).click();
  const file = await (await download).path();
  const doc = JSON.parse(readFileSync(file!, "utf8"));
  expect(doc.account_id).toBe((await alice.get("/v1/me")).id);
  expect(doc.identity).toBeTruthy();
  expect(doc.members.consents.marketing).toBe(!before);
});
