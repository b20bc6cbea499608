import { test, expect } from "@playwright/test";
import { adminSession, newPerson, ProjectPage, sessionAs } from "./support";

test("a project goes from define to deploy with every record entered in the browser", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Ana");
  const rae = newPerson("Rae");
  await admin.create(ana, "editor");
  await admin.create(rae, "reviewer");

  const page = await sessionAs(browser, ana);
  const project = new ProjectPage(page);
  const name = `Fraud scoring ${Date.now().toString(36)}`;
  await project.create(name, "Fraud");
  await project.edit({
    "Problem statement": "Investigators review every flagged payment by hand.",
    "Success metric": "Share of fraud caught in the first review",
    "Success target": "80%",
    "Baseline metric": "52%",
    "How the baseline was measured": "Three months of investigator outcomes",
    "Data readiness": "Two years of labelled payments in the warehouse",
    "Fallback plan": "Rules engine stays on; the model only reorders the queue",
    "Monitoring owner": "Fraud analytics on-call",
  });

  await project.addEvidence("Investigator shadowing");
  await project.moveTo("Design");
  await expect(project.currentStage()).toContainText("Design");
  await project.addDemo("Ranked queue on last month's payments");
  await project.moveTo("Build");
  await expect(project.currentStage()).toContainText("Build");

  // Deploy waits for an independent sign-off and review.
  await project.moveTo("Deploy");
  await expect(project.refusal().locator("li")).toHaveText([
    "An approved explainability sign-off by someone other than the owner",
    "An approved model-risk review by an independent reviewer",
  ]);
  // Editors cannot record them.
  await expect(page.getByText("Record a sign-off")).toHaveCount(0);

  const reviewer = await sessionAs(browser, rae);
  await expect(reviewer.getByTestId("awaiting-review").filter({ hasText: name })).toBeVisible();
  await reviewer.getByRole("link", { name }).click();
  const reviewed = new ProjectPage(reviewer);
  await expect(reviewer.getByTestId("project-name")).toHaveText(name);
  await reviewed.ready();
  const signoffs = reviewer.getByTestId("records-signoffs");
  await signoffs.getByText("Record a sign-off").click();
  await signoffs.getByLabel("Method").fill("SHAP");
  await signoffs.getByLabel("Decision").selectOption("approved");
  await signoffs.getByLabel("What the explanation showed").fill("Amount and merchant age drive the score.");
  await signoffs.getByRole("button", { name: "Record sign-off" }).click();
  await expect(signoffs.getByTestId("record")).toContainText("Approved");
  await reviewed.ready();
  const reviews = reviewer.getByTestId("records-reviews");
  await reviews.getByText("Record a model-risk review").click();
  await reviews.getByLabel("Risk tier").selectOption("medium");
  await reviews.getByLabel("Decision").selectOption("approved_with_conditions");
  await reviews.getByLabel("Findings").fill("Monitor drift monthly.");
  await reviews.getByRole("button", { name: "Record review" }).click();
  await expect(reviews.getByTestId("record")).toContainText("Approved with conditions");
  await expect(reviews.getByTestId("record")).toContainText("Next review due");

  await page.reload();
  await project.ready();
  // Leaving the next stage's owner empty is an explicit choice...
  await project.moveTo("Deploy", "");
  await expect(project.currentStage()).toContainText("Deploy");
  // ...and until someone takes Deploy, the project is ownerless.
  await expect(page.getByTestId("health")).toContainText("Ownerless — nobody owns the Deploy stage");
  const assign = page.getByTestId("assign-deploy");
  await assign.getByLabel("Owner of Deploy").selectOption({ label: ana.name });
  await assign.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByTestId("health")).toHaveText("Healthy: no flags.");
  await expect(project.timeline()).toContainText(`${rae.name} recorded a model-risk review`);
});

test.describe("record forms before the WebAssembly loads (JavaScript disabled)", () => {
  test("a demo dated in the future is refused next to the field, then logged", async ({ browser }) => {
    const admin = await adminSession(await browser.newContext());
    const ana = newPerson("NoJS Ana");
    await admin.create(ana, "editor");
    const page = await sessionAs(browser, ana, false);
    const project = new ProjectPage(page, false);
    await project.create(`No-JS demos ${Date.now().toString(36)}`, "Ops");

    const section = page.getByTestId("records-demos");
    await section.getByText("Add a demo checkpoint").click();
    await section.getByLabel("Held on").fill("2999-01-01");
    await section.getByLabel("Attendees").fill("Ops leads");
    await section.getByLabel("What was shown and learned").fill("Forecast for next week");
    await section.getByRole("button", { name: "Add demo" }).click();
    await expect(page.getByTestId("records-demos").getByLabel("Held on")).toHaveAccessibleDescription(
      "This already happened: the date can't be in the future.",
    );
    await project.addDemo("Forecast for next week");
    await expect(page.getByTestId("records-demos").getByTestId("record")).toHaveCount(1);
  });
});
