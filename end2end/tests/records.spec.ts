import { test, expect } from "@playwright/test";
import { adminSession, newPerson, ProjectPage, sessionAs } from "./support";

// Everyone in this file reads Tollgate from India (UTC+5:30), so local times differ from UTC.
test.use({ timezoneId: "Asia/Kolkata" });

test("the author corrects a record, another editor cannot, and times show in the viewer's zone", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext({ timezoneId: "Asia/Kolkata" }));
  const ana = newPerson("Ana");
  const ben = newPerson("Ben");
  await admin.create(ana, "editor");
  await admin.create(ben, "editor");

  const page = await sessionAs(browser, ana);
  const project = new ProjectPage(page);
  const name = `Claims triage ${Date.now().toString(36)}`;
  await project.create(name, "Claims");
  await project.addDemo("Ranked queue shown to adjusters");

  const record = page.getByTestId("records-demos").getByTestId("record");
  await record.getByText("Correct…").click();
  const correction = record.getByTestId("correct-demo-form");
  await expect(correction.getByLabel("Attendees")).toHaveValue("Claims leads, data science");
  await correction.getByLabel("Attendees").fill("");
  await correction.getByRole("button", { name: "Save correction" }).click();
  await expect(correction.getByLabel("Attendees")).toHaveAccessibleDescription("List who attended.");
  await correction.getByLabel("Attendees").fill("Claims leads, two adjusters");
  await correction.getByLabel("Outcome").selectOption("pivot");
  await correction.getByRole("button", { name: "Save correction" }).click();
  await expect(record).toContainText("Outcome: Pivot");
  await expect(record).toContainText("Claims leads, two adjusters");
  await expect(project.timeline()).toContainText(`${ana.name} corrected a record`);
  await expect(project.timeline()).toContainText("Claims leads, data science → Claims leads, two adjusters");

  // Instants are shown in the viewer's time zone, with the UTC time kept as the tooltip.
  const when = project.timeline().locator("time[data-local]").first();
  await expect(when).toHaveAttribute("data-localised", "");
  await expect(when).toHaveText(/GMT\+5:30|IST/);
  await expect(when).toHaveAttribute("title", /UTC$/);

  // Another editor sees the record but may neither correct nor withdraw it.
  const other = await sessionAs(browser, ben);
  await other.goto(page.url());
  await new ProjectPage(other).ready();
  await expect(other.getByTestId("records-demos").getByTestId("record")).toContainText("Outcome: Pivot");
  await expect(other.getByText("Correct…")).toHaveCount(0);
  await expect(other.getByText("Withdraw…")).toHaveCount(0);
});
