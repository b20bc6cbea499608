import { test, expect } from "@playwright/test";
import { adminSession, expectAccessible, newPerson, ProjectPage, sessionAs } from "./support";

test("an admin override shows as a gate gap, and a deactivated owner as ownerless, with reasons", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const ben = newPerson("Ben");
  await admin.create(ana, "editor");
  await admin.create(ben, "editor");
  const anaPage = await sessionAs(browser, ana);
  const name = `Override me ${Date.now().toString(36)}`;
  await new ProjectPage(anaPage).create(name, "Claims");
  const url = anaPage.url();
  await expect(anaPage.getByTestId("health")).toHaveText("Healthy: no flags.");

  // The admin's move is refused, then pushed through with a justification.
  const page = admin.page;
  await page.goto(url);
  const project = new ProjectPage(page);
  await project.ready();
  await project.moveTo("Design");
  await expect(project.refusal()).toBeVisible();
  const override = page.getByTestId("override-form");
  await override.getByLabel("Admin override: why move on without these?").fill("Board asked for a fast start");
  await override.getByRole("button", { name: "Override the gate and move to Design" }).click();
  await expect(project.currentStage()).toContainText("Design");
  const gap = page.locator('[data-test="flag"][data-code="gate_gap"]');
  await expect(gap).toContainText("Gate gap — Design entered by an admin override without a problem statement");
  await expect(project.timeline()).toContainText("Board asked for a fast start");

  // Deactivating the owner of the current stage makes the project ownerless, at once.
  await page.getByTestId("assign-design").getByLabel("Owner of Design").selectOption({ label: ana.name });
  await page.getByTestId("assign-design").getByRole("button", { name: "Assign" }).click();
  await expect(page.getByTestId("owner-design")).toContainText(ana.name);
  await admin.open();
  await admin.deactivate(ana);
  await page.goto(url);
  const ownerless = page.locator('[data-test="flag"][data-code="ownerless"]');
  await expect(ownerless).toContainText(`Ownerless — owner ${ana.name} was deactivated on`);
  await expect(page.getByTestId("flag").first()).toHaveAttribute("data-code", "ownerless");

  // Other editors see it in My work, with the reason, so someone can pick it up.
  const benPage = await sessionAs(browser, ben);
  await expect(benPage.getByTestId("ownerless-project").filter({ hasText: name })).toContainText(
    `owner ${ana.name} was deactivated on`,
  );
});

test("deactivating an owner turns their project ownerless on the list, the portfolio and My work at once", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const ben = newPerson("Ben");
  await admin.create(ana, "editor");
  await admin.create(ben, "editor");
  const anaPage = await sessionAs(browser, ana);
  const unique = Date.now().toString(36);
  const name = `Leaver's model ${unique}`;
  const team = `Leavers ${unique}`;
  await new ProjectPage(anaPage).create(name, team);
  await expect(anaPage.getByTestId("health")).toHaveText("Healthy: no flags.");

  // Before: the team's portfolio has nothing ownerless.
  const page = admin.page;
  const portfolio = `/portfolio?team=${encodeURIComponent(team)}`;
  await page.goto(portfolio);
  await expect(page.getByTestId("attention-ownerless").getByTestId("attention-total")).toHaveText("0");

  await admin.open();
  await admin.deactivate(ana);

  // The list, filtered by the flag, shows it red, right after the change.
  await page.goto(`/projects?flag=ownerless&team=${encodeURIComponent(team)}`);
  const row = page.getByTestId("project-row").filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("(deactivated)");
  await expectAccessible(page);

  // The portfolio counts it and says why.
  await page.goto(portfolio);
  const attention = page.getByTestId("attention-ownerless");
  await expect(attention.getByTestId("attention-total")).toHaveText("1");
  await expect(attention.getByTestId("attention-item")).toContainText(`owner ${ana.name} was deactivated on`);
  await expect(page.getByTestId("health-red").getByTestId("health-count")).toHaveText("1");
  await expectAccessible(page);

  // Another editor finds it in My work, to pick it up.
  const benPage = await sessionAs(browser, ben);
  await expect(benPage.getByTestId("ownerless-project").filter({ hasText: name })).toContainText(
    `owner ${ana.name} was deactivated on`,
  );
  await expectAccessible(benPage);
});
