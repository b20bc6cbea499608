import { test, expect, type Page } from "@playwright/test";
import { adminSession, expectAccessible, newPerson, ProjectPage, sessionAs } from "./support";

/** The day `days` before today, as a date field takes it. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** Adds user research held on `heldOn` through the project page's form. */
async function research(page: Page, title: string, heldOn: string): Promise<void> {
  const section = page.getByTestId("records-evidence");
  const form = section.getByTestId("evidence-form");
  if (!(await form.isVisible())) await section.getByText("Add user-research evidence").click();
  await form.getByLabel("Kind").selectOption("interview");
  await form.getByLabel("Participants").fill("6");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Held on").fill(heldOn);
  await form.getByLabel("Findings").fill("Investigators want the riskiest payments first.");
  await form.getByRole("button", { name: "Add evidence" }).click();
  await expect(section.getByTestId("record").filter({ hasText: title })).toBeVisible();
}

test("a pivot voids the sign-off, asks for user research again, and the deploy gate asks for a new sign-off", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Pivot Ana");
  const rae = newPerson("Pivot Rae");
  await admin.create(ana, "editor");
  await admin.create(rae, "reviewer");

  const page = await sessionAs(browser, ana);
  const project = new ProjectPage(page);
  const name = `Payment triage ${Date.now().toString(36)}`;
  await project.create(name, "Fraud");
  await project.edit({
    "Problem statement": "Investigators review every flagged payment by hand.",
    "Success metric": "Share of fraud caught in the first review",
    "Success target": "80%",
    "Baseline metric": "52%",
    "How the baseline was measured": "Three months of investigator outcomes",
    "Data readiness": "Two years of labelled payments in the warehouse",
    "Fallback plan": "Rules engine stays on",
    "Monitoring owner": "Fraud analytics on-call",
  });
  await research(page, "Investigator shadowing", daysAgo(10));
  await project.ready();
  await project.moveTo("Design");
  await expect(project.currentStage()).toContainText("Design");
  await project.addDemo("Ranked queue on last month's payments");
  await project.moveTo("Build");
  await expect(project.currentStage()).toContainText("Build");

  // A reviewer approves: the sign-off counts for the deploy gate.
  const reviewer = await sessionAs(browser, rae);
  await reviewer.goto(page.url());
  const reviewed = new ProjectPage(reviewer);
  await reviewed.ready();
  const signoffs = reviewer.getByTestId("records-signoffs");
  await signoffs.getByText("Record a sign-off").click();
  await signoffs.getByLabel("Method").fill("SHAP");
  await signoffs.getByLabel("Decision").selectOption("approved");
  await signoffs.getByLabel("What the explanation showed").fill("Amount and merchant age drive the score.");
  await signoffs.getByRole("button", { name: "Record sign-off" }).click();
  await expect(signoffs.getByTestId("record")).toContainText("Approved");

  // The owner pivots back to Design.
  await page.reload();
  await project.ready();
  await page.getByText("Go back a stage (pivot)").click();
  const back = page.getByTestId("move-back-form");
  await back.getByLabel("Back to").selectOption("design");
  await back.getByLabel("Why? (required)").fill("Investigators need a different queue");
  await back.getByRole("button", { name: "Move back" }).click();
  await expect(project.currentStage()).toContainText("Design");
  await project.ready();

  // The research is older than the pivot: Build asks for users to be heard again.
  await project.moveTo("Build");
  await expect(project.refusal().locator("li")).toHaveText([
    "User research held since the project last went back a stage (after a pivot, talk to users again)",
  ]);
  await expectAccessible(page);
  await research(page, "Second round of shadowing", daysAgo(0));
  await project.ready();
  await project.moveTo("Build");
  await expect(project.currentStage()).toContainText("Build");

  // The sign-off given before the pivot no longer counts, and the page says why.
  const signoffItem = page
    .getByTestId("gate-item")
    .filter({ hasText: "An approved explainability sign-off by someone other than the owner" });
  await expect(signoffItem.getByTestId("voided")).toContainText("voided on");
  await expect(signoffItem.getByTestId("voided")).toContainText("moved back from Build to Design");
  await project.moveTo("Deploy");
  await expect(project.refusal().locator("li")).toContainText([
    "An approved explainability sign-off by someone other than the owner",
  ]);
  await expectAccessible(page);

  // The reviewer hears it needs their review again.
  await reviewer.goto("/");
  await reviewed.ready();
  const again = reviewer.getByTestId("review-again-item").filter({ hasText: name });
  await expect(again).toContainText("your explainability sign-off was voided on");
  await expectAccessible(reviewer);
});

/** A new project of `ana`'s pushed to Build through its gates, in the browser. */
async function projectInBuild(page: Page, name: string): Promise<ProjectPage> {
  const project = new ProjectPage(page);
  await project.create(name, "Claims");
  await project.edit({
    "Problem statement": "Adjusters triage every claim by hand.",
    "Success metric": "Share of claims routed right first time",
    "Success target": "0.9",
    "Baseline metric": "0.6",
    "How the baseline was measured": "A month of routing outcomes",
    "Data readiness": "Two years of routed claims",
    "Fallback plan": "Manual triage",
    "Monitoring owner": "Claims analytics",
  });
  await project.addEvidence("Adjuster interviews");
  await project.moveTo("Design");
  await expect(project.currentStage()).toContainText("Design");
  await project.addDemo("Routing on last month's claims");
  await project.moveTo("Build");
  await expect(project.currentStage()).toContainText("Build");
  return project;
}

test("a reviewer approves with two conditions; one is met, the other overdue shows on the portfolio", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Cond Ana");
  const rae = newPerson("Cond Rae");
  await admin.create(ana, "editor");
  await admin.create(rae, "reviewer");
  const page = await sessionAs(browser, ana);
  const name = `Claims routing ${Date.now().toString(36)}`;
  const project = await projectInBuild(page, name);

  const reviewer = await sessionAs(browser, rae);
  await reviewer.goto(page.url());
  await new ProjectPage(reviewer).ready();
  const reviews = reviewer.getByTestId("records-reviews");
  await reviews.getByText("Record a model-risk review").click();
  await reviews.getByLabel("Risk tier").selectOption("medium");
  await reviews.getByLabel("Decision").selectOption("approved_with_conditions");
  await reviews.getByLabel("Findings").fill("Fine, with monitoring.");
  await reviews.getByRole("button", { name: "Record review" }).click();
  await expect(reviews.getByTestId("record")).toContainText("Approved with conditions");

  // Two conditions, both Ana's: one due in a month, one that was due yesterday.
  const conditions = reviewer.getByTestId("conditions");
  for (const [text, due] of [
    ["Monitor drift monthly", daysAgo(-30)],
    ["Publish the model card", daysAgo(1)],
  ]) {
    await new ProjectPage(reviewer).ready();
    await conditions.getByText("Add a condition").click();
    const form = conditions.getByTestId("condition-form");
    await form.getByLabel("Condition").fill(text);
    await form.getByLabel("Owner's email").fill(ana.email);
    await form.getByLabel("Due on").fill(due);
    await form.getByRole("button", { name: "Add condition" }).click();
    await expect(conditions.getByTestId("condition").filter({ hasText: text })).toBeVisible();
  }
  await expectAccessible(reviewer);

  // Ana sees them in My work, and marks the first met.
  await page.goto("/");
  await project.ready();
  await expect(page.getByTestId("owed-condition")).toHaveCount(2);
  await expect(page.getByTestId("owed-condition").filter({ hasText: "Publish the model card" })).toContainText(
    "overdue since",
  );
  await page.getByTestId("owed-condition").filter({ hasText: "Monitor drift monthly" }).getByRole("link").click();
  await project.ready();
  const monitor = page.getByTestId("condition").filter({ hasText: "Monitor drift monthly" });
  await monitor.getByText("Mark met…").click();
  await monitor.getByLabel("Note or link (optional)").fill("https://wiki.example.com/drift-dashboard");
  await monitor.getByRole("button", { name: "Mark met" }).click();
  await expect(page.getByTestId("condition").filter({ hasText: "Monitor drift monthly" })).toHaveAttribute(
    "data-status",
    "met",
  );
  const card = page.getByTestId("condition").filter({ hasText: "Publish the model card" });
  await expect(card).toHaveAttribute("data-overdue", "true");
  await expect(page.locator('[data-test="flag"][data-code="conditions_overdue"]')).toContainText(
    "condition “Publish the model card”",
  );
  await expectAccessible(page);

  // The portfolio counts it and lists it.
  await page.goto("/portfolio");
  await project.ready();
  const tile = page.getByTestId("tile-conditions_overdue");
  await expect(tile.getByTestId("tile-count")).not.toHaveText("0");
  await expect(page.getByTestId("attention-conditions_overdue")).toContainText(name);
  await expectAccessible(page);
});

test("a PM lowers the target in Build: goal drift until a reviewer acknowledges it", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Drift Ana");
  const rae = newPerson("Drift Rae");
  await admin.create(ana, "editor");
  await admin.create(rae, "reviewer");
  const page = await sessionAs(browser, ana);
  const name = `Claims drift ${Date.now().toString(36)}`;
  const project = await projectInBuild(page, name);

  await project.edit({ "Success target": "0.8" });
  const drift = page.locator('[data-test="flag"][data-code="goal_drift"]');
  await expect(drift).toContainText("success target changed from 0.9 to 0.8");
  await expect(drift).toContainText("after entering Build");
  await expect(project.timeline()).toContainText("0.9");
  // An editor cannot acknowledge it.
  await expect(page.getByTestId("acknowledge-drift")).toHaveCount(0);

  const reviewer = await sessionAs(browser, rae);
  await reviewer.goto(page.url());
  await new ProjectPage(reviewer).ready();
  await reviewer.getByRole("button", { name: "Acknowledge the change of goal" }).click();
  await expect(reviewer.locator('[data-test="flag"][data-code="goal_drift"]')).toHaveCount(0);
  await expect(new ProjectPage(reviewer).timeline()).toContainText("acknowledged");
  await expectAccessible(reviewer);
});
