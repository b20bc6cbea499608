import { test, expect } from "@playwright/test";
import { adminSession, newPerson, ProjectPage, sessionAs } from "./support";

test.describe("projects before the WebAssembly loads (JavaScript disabled)", () => {
  test("create, edit and move a project with plain HTML forms, refusals included", async ({ browser }) => {
    const admin = await adminSession(await browser.newContext());
    const ana = newPerson("NoJS Ana");
    await admin.create(ana, "editor");
    const page = await sessionAs(browser, ana, false);
    const project = new ProjectPage(page, false);

    // An empty form is refused field by field.
    await page.goto("/projects/new");
    await page.getByRole("button", { name: "Create project" }).click();
    await expect(page.getByLabel("Name")).toHaveAccessibleDescription("Give the project a name.");
    await expect(page.getByLabel("Team")).toHaveAccessibleDescription("Say which team runs the project.");

    const name = `No-JS pricing ${Date.now().toString(36)}`;
    await project.create(name, "Pricing");
    await project.moveTo("Design");
    await expect(project.refusal().locator("li")).toHaveCount(4);
    await expect(project.currentStage()).toContainText("Define");

    await project.edit({
      "Problem statement": "Prices are set by hand once a quarter.",
      "Success metric": "Gross margin",
      "Success target": "+2 points",
    });
    await expect(page.getByTestId("detail-success_target")).toHaveText("+2 points");
    await project.addEvidence("Pricing analyst interviews");
    await project.moveTo("Design");
    await expect(project.currentStage()).toContainText("Design");
    // The owner of Define was proposed for Design, and the plain form carried the choice.
    await expect(page.getByTestId("owner-design")).toContainText(ana.name);

    // Going back needs a note.
    await page.getByText("Go back a stage (pivot)").click();
    await page.getByRole("button", { name: "Move back" }).click();
    await expect(page.getByLabel("Why? (required)")).toHaveAccessibleDescription(/a note is required/);
    await page.getByText("Go back a stage (pivot)").click();
    await page.getByLabel("Why? (required)").fill("Users asked for a simpler rule first.");
    await page.getByRole("button", { name: "Move back" }).click();
    await expect(project.currentStage()).toContainText("Define");
    await expect(project.timeline()).toContainText("Note: — → Users asked for a simpler rule first.");
  });
});
