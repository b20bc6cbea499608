import { test, expect } from "@playwright/test";
import { adminSession, newPerson, ProjectPage, sessionAs } from "./support";

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
