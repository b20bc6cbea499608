import { test, expect } from "@playwright/test";
import { adminSession, expectAccessible, hydrated, newPerson, ProjectPage, sessionAs } from "./support";

test("a person turns the weekly digest off on the Account page", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const bo = newPerson("Bo");
  await admin.create(bo, "viewer");
  const page = await sessionAs(browser, bo);

  // In-app navigation: the account page through the name in the header.
  await page.getByTestId("signed-in-user").getByRole("link", { name: bo.name }).click();
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  await hydrated(page);
  const digest = page.getByLabel("The weekly digest");
  await expect(digest).toBeChecked();
  await expect(page.getByLabel(/Reminders: a demo/)).toBeChecked();
  await expectAccessible(page);

  await digest.uncheck();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByTestId("preferences-saved")).toBeVisible();

  // Kept: a fresh load shows it off, reminders still on.
  await page.reload();
  await expect(page.getByLabel("The weekly digest")).not.toBeChecked();
  await expect(page.getByLabel(/Reminders: a demo/)).toBeChecked();

  // The notifications page, from the header's bell, says what it holds and how.
  await hydrated(page);
  await page.getByTestId("notifications-link").click();
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
  await expect(page.getByTestId("no-notifications")).toBeVisible();
  await expectAccessible(page);
});

test("an admin hears of a project left without an owner, in the app, with the unread count in the header", async ({
  browser,
}) => {
  test.slow(); // The reminder scan runs once a minute.
  const admin = await adminSession(await browser.newContext());
  const cy = newPerson("Cy");
  await admin.create(cy, "editor");
  const name = `Left behind ${Date.now().toString(36)}`;
  await new ProjectPage(await sessionAs(browser, cy)).create(name, "Claims");
  await admin.deactivate(cy);

  const page = admin.page;
  await expect(async () => {
    await page.goto("/notifications");
    await expect(page.getByTestId("notification").filter({ hasText: name }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [3_000] });
  const item = page.getByTestId("notification").filter({ hasText: name }).first();
  await expect(item).toHaveAttribute("data-kind", "ownerless");
  await expect(item.getByRole("link", { name: new RegExp(`Nobody owns the current stage of ${name}`) })).toBeVisible();
  await expect(page.getByTestId("unread-count")).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  await page.getByTestId("mark-read").click();
  await expect(page.getByTestId("mark-read")).toHaveCount(0);
  await expect(page.getByTestId("unread-count")).toHaveCount(0);
});
