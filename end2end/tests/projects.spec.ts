import { test, expect } from "@playwright/test";
import { adminSession, expectAccessible, hydrated, newPerson, ProjectPage, sessionAs } from "./support";

const DESIGN_GATE = {
  "Problem statement": "Claims wait nine days for triage; adjusters triage by hand.",
  "Success metric": "Median days from claim to triage",
  "Success target": "Under 2 days",
};

test("an editor creates a project, is refused Design until the gate is met, moves it and hands it over", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const ben = newPerson("Ben");
  await admin.create(ana, "editor");
  await admin.create(ben, "editor");

  const page = await sessionAs(browser, ana);
  const project = new ProjectPage(page);
  const name = `Claims triage ${Date.now().toString(36)}`;
  await project.create(name, "Claims");
  await expect(project.currentStage()).toContainText("Define");
  await expect(page.getByTestId("owner-define")).toContainText(ana.name);

  // Refused, with exactly what is missing, in words.
  await project.moveTo("Design");
  const refusal = project.refusal();
  await expect(refusal).toContainText("Design can't start yet");
  await expect(refusal.locator("li")).toHaveText([
    "A problem statement: what problem this solves and for whom",
    "A success metric: how you will know it works",
    "A target for the success metric",
    "At least one piece of user-research evidence",
  ]);
  await expect(project.currentStage()).toContainText("Define");
  // Each item links to the field or record form that puts it right.
  await expect(refusal.getByRole("link", { name: /^A problem statement/ })).toHaveAttribute("href", /\/edit#problem_statement$/);
  await expect(refusal.getByRole("link", { name: /user-research evidence/ })).toHaveAttribute("href", /#records-evidence$/);
  // Focus moves to the refusal, so a screen reader reads what is missing.
  await expect(refusal).toBeFocused();
  await expectAccessible(page);

  await project.edit(DESIGN_GATE);
  await expect(page.getByTestId("detail-problem_statement")).toHaveText(DESIGN_GATE["Problem statement"]);
  await expect(page.getByTestId("gate-item")).toHaveText([
    /Done: A problem statement/,
    /Done: A success metric/,
    /Done: A target/,
    /Missing: At least one piece of user-research evidence/,
  ]);
  await project.addEvidence("Adjuster interviews");
  await expect(page.getByTestId("gate-item").last()).toHaveText(/Done: At least one piece/);
  // The move proposes the owner of the stage being left for the next one: no false red.
  await expect(page.getByTestId("move-forward-form").getByLabel("Owner of Design")).toHaveValue(/.+/);
  await project.moveTo("Design");
  await expect(project.currentStage()).toContainText("Design");
  await expect(project.refusal()).toHaveCount(0);
  await expect(page.getByTestId("owner-design")).toContainText(ana.name);
  await expect(page.locator('[data-test="flag"][data-code="ownerless"]')).toHaveCount(0);

  // Hand Design to Ben.
  const assign = page.getByTestId("assign-design");
  await assign.getByLabel("Owner of Design").selectOption({ label: ben.name });
  await assign.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByTestId("owner-design")).toContainText(ben.name);
  await expect(page.getByTestId("handoffs")).toContainText(`Design: ${ana.name} → ${ben.name}`);

  // The timeline tells the whole story, newest first.
  const entries = project.timeline().getByTestId("timeline-entry");
  await expect(entries).toHaveCount(5);
  await expect(entries.nth(0)).toContainText(`${ana.name} changed an owner`);
  await expect(entries.nth(0)).toContainText(`Owner of Design: ${ana.name} → ${ben.name}`);
  await expect(entries.nth(1)).toContainText("moved the stage");
  await expect(entries.nth(1)).toContainText("Stage: define → design");
  await expect(entries.nth(1)).toContainText(`Owner of Design: — → ${ana.name}`);
  await expect(entries.nth(2)).toContainText("added user-research evidence");
  await expect(entries.nth(3)).toContainText("edited the project");
  await expect(entries.nth(3)).toContainText("Success target: — → Under 2 days");
  await expect(entries.nth(4)).toContainText(`${ana.name} created the project`);

  // Ben now owns the project's current stage: it is on his home page.
  const benPage = await sessionAs(browser, ben);
  await expect(benPage.getByTestId("owned-project").filter({ hasText: name })).toBeVisible();
});

test("the second of two simultaneous saves is refused and keeps what was typed", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const ben = newPerson("Ben");
  await admin.create(ana, "editor");
  await admin.create(ben, "editor");
  const anaPage = await sessionAs(browser, ana);
  const name = `Churn model ${Date.now().toString(36)}`;
  await new ProjectPage(anaPage).create(name, "Retention");
  const url = anaPage.url();

  // Both open the edit form of the same version.
  await anaPage.goto(`${url}/edit`);
  await hydrated(anaPage);
  const benPage = await sessionAs(browser, ben);
  await benPage.goto(`${url}/edit`);
  await hydrated(benPage);

  await anaPage.getByLabel("Team", { exact: true }).fill("Retention Analytics");
  await anaPage.getByRole("button", { name: "Save changes" }).click();
  await expect(anaPage.getByTestId("project-name")).toHaveText(name);

  const typed = "Predict which subscribers will cancel in the next 30 days.";
  await benPage.getByLabel("Summary").fill(typed);
  await benPage.getByRole("button", { name: "Save changes" }).click();
  await expect(benPage.getByTestId("form-error")).toContainText(`${ana.name} changed this project at`);
  await expect(benPage.getByTestId("form-error")).toContainText("since you opened it");
  // The time Ana saved reads in Ben's own time zone, the UTC time as its tooltip.
  const savedAt = benPage.getByTestId("form-error").locator("time[data-localised]");
  await expect(savedAt).toHaveCount(1);
  await expect(savedAt).toHaveAttribute("title", /UTC$/);
  await expect(benPage.getByLabel("Summary")).toHaveValue(typed);
  await expect(benPage).toHaveURL(/\/edit$/);

  // Ana's save stands; Ben's did not overwrite it.
  await anaPage.reload();
  await expect(anaPage.locator(".meta-line")).toContainText("Retention Analytics");
  await expect(anaPage.getByTestId("detail-summary")).toHaveText("Not written yet");
});

test("a viewer sees projects but no control that changes them", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const vic = newPerson("Vic");
  await admin.create(ana, "editor");
  await admin.create(vic, "viewer");
  const anaPage = await sessionAs(browser, ana);
  const name = `Fraud rules ${Date.now().toString(36)}`;
  await new ProjectPage(anaPage).create(name, "Fraud");
  const url = anaPage.url();

  const page = await sessionAs(browser, vic);
  await page.goto("/projects");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "New project" })).toHaveCount(0);
  await page.getByLabel("Search by name").fill(name);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=Fraud/);
  await expect(page.getByTestId("project-row")).toHaveCount(1);
  await page.getByRole("link", { name }).click();
  await expect(page.getByTestId("project-name")).toHaveText(name);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Edit project" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Move to/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Assign" })).toHaveCount(0);
  await expect(page.getByTestId("gate-checklist")).toBeVisible();
  expect(page.url()).toBe(url);

  // And the edit page itself is not theirs.
  await page.goto(`${url}/edit`);
  await expect(page.getByRole("heading", { name: "Not available to your role" })).toBeVisible();
});

test("the list's filters live in the URL, so a view can be shared", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  await admin.create(ana, "editor");
  const page = await sessionAs(browser, ana);
  const team = `Team ${Date.now().toString(36)}`;
  await new ProjectPage(page).create(`${team} forecasting`, team);

  const shared = `/projects?team=${encodeURIComponent(team)}&stage=define`;
  // Someone else opening the same address sees the same view.
  const colleague = await sessionAs(browser, ana);
  await colleague.goto(shared);
  await expect(colleague.getByTestId("project-row")).toHaveCount(1);
  await page.goto(shared);
  await hydrated(page);
  await expect(page.getByLabel("Team")).toHaveValue(team);
  await expect(page.getByLabel("Stage")).toHaveValue("define");
  await expect(page.getByTestId("project-row")).toHaveCount(1);
  await page.getByLabel("Stage").selectOption("build");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/stage=build/);
  await expect(page.getByTestId("no-matches")).toBeVisible();
});
