import { test, expect, type Page } from "@playwright/test";
import {
  ADMIN,
  LoginPage,
  ProjectPage,
  adminSession,
  expectAccessible,
  hydrated,
  newPerson,
  sessionAs,
  signIn,
} from "./support";

for (const js of [true, false]) {
  test(`a signed-out visitor is sent to sign in and comes back to the page asked for (JavaScript ${js ? "on" : "off"})`, async ({
    browser,
  }) => {
    const page = await (await browser.newContext({ javaScriptEnabled: js })).newPage();
    const response = await page.request.get("/projects?stage=build", { maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(response.headers()["location"]).toBe("/login?next=%2Fprojects%3Fstage%3Dbuild");

    await page.goto("/projects?stage=build");
    await expect(page).toHaveURL(/\/login\?next=/);
    const login = new LoginPage(page, js);
    if (js) await hydrated(page);
    await login.signIn(ADMIN.email, ADMIN.password);
    await expect(page).toHaveURL(/\/projects\?stage=build$/);
    await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
    if (js) await expectAccessible(page);
  });
}

test("shared filter addresses carry no empty parameters, with or without JavaScript", async ({ browser }) => {
  const page = await sessionAs(browser, ADMIN);
  await page.goto("/projects");
  await hydrated(page);
  await page.getByTestId("project-filters").getByLabel("Stage").selectOption("build");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/projects\?stage=build(&sort=name)?$/);
  expect(page.url(), "no empty parameter").not.toMatch(/[?&][^=&]*=(&|$)/);

  const plain = await sessionAs(browser, ADMIN, false);
  await plain.goto("/projects?q=&stage=build&tier=&=");
  await expect(plain).toHaveURL(/\/projects\?stage=build$/);
});

/** True when the page is no wider than the window. */
async function fitsTheWindow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test("on a phone no page scrolls sideways and the menu folds away", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, ADMIN);
  for (const path of ["/", "/portfolio", "/projects", "/projects/new", "/admin/accounts", "/admin/thresholds", "/admin/tokens", "/account"]) {
    await page.goto(path);
    await hydrated(page);
    expect(await fitsTheWindow(page), `${path} fits 390 px`).toBe(true);
  }
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.getByRole("link", { name: "Menu" }).click();
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Projects" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  await expect(nav).toBeHidden();
  await expectAccessible(page);
});

test("an override with no justification is refused next to that field", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const page = admin.page;
  const project = new ProjectPage(page);
  await project.create(`Override check ${Date.now().toString(36)}`, "Risk");
  await project.moveTo("Design");
  await expect(project.refusal()).toBeVisible();
  const form = page.getByTestId("override-form");
  await form.getByRole("button", { name: /Override the gate/ }).click();
  await expect(form.getByLabel("Admin override: why move on without these?")).toHaveAccessibleDescription(
    "Say why the project may move on without these.",
  );
  await expect(project.currentStage()).toContainText("Define");
  await expectAccessible(page);
});

test("demo outcomes read in words", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const ana = newPerson("Outcome Ana");
  await admin.create(ana, "editor");
  const page = await sessionAs(browser, ana);
  const project = new ProjectPage(page);
  await project.create(`Outcomes ${Date.now().toString(36)}`, "Ops");
  await project.addDemo("First look at the ranked queue");
  await expect(page.getByTestId("records-demos").getByTestId("record")).toContainText("Outcome: Continue");
});

for (const js of [true, false]) {
  test(`a PM asks a named reviewer for a sign-off, who finds it in My work and answers it (JavaScript ${js ? "on" : "off"})`, async ({
    browser,
  }) => {
    const admin = await adminSession(await browser.newContext());
    const pam = newPerson("Pam");
    const rae = newPerson("Rae");
    await admin.create(pam, "editor");
    await admin.create(rae, "reviewer");
    const page = await sessionAs(browser, pam, js);
    const project = new ProjectPage(page, js);
    const name = `Asked ${js ? "js" : "nojs"} ${Date.now().toString(36)}`;
    await project.create(name, "Claims");

    const card = page.getByTestId("review-requests");
    await card.getByText("Ask for a sign-off or review").click();
    const form = page.getByTestId("request-form");
    await form.getByLabel("Decision needed").selectOption("signoff");
    await form.getByLabel("Ask", { exact: true }).selectOption({ label: rae.name });
    await form.getByLabel("Note (optional)").fill("Before the steering committee");
    await form.getByRole("button", { name: "Send the request" }).click();
    const request = page.getByTestId("review-requests").getByTestId("review-request");
    await expect(request).toContainText(`Explainability sign-off asked of ${rae.name} by ${pam.name}`);
    await expect(project.timeline()).toContainText("asked for a decision");
    if (js) await expectAccessible(page);

    const reviewer = await sessionAs(browser, rae, js);
    const asked = reviewer.getByTestId("asked-of-me").filter({ hasText: name });
    await expect(asked).toContainText(`asked of you by ${pam.name}`);
    if (js) await expectAccessible(reviewer);
    await asked.getByRole("link", { name }).click();
    await expect(reviewer.getByTestId("project-name")).toHaveText(name);
    if (js) await new ProjectPage(reviewer).ready();
    const signoffs = reviewer.getByTestId("records-signoffs");
    await signoffs.getByText("Record a sign-off").click();
    await signoffs.getByLabel("Method").fill("SHAP");
    await signoffs.getByLabel("Decision").selectOption("approved");
    await signoffs.getByLabel("What the explanation showed").fill("Claim amount drives the score.");
    await signoffs.getByRole("button", { name: "Record sign-off" }).click();
    await expect(signoffs.getByTestId("record")).toContainText("Approved");
    await expect(reviewer.getByTestId("review-requests").getByTestId("review-request")).toHaveCount(0);
  });
}

test("a reviewer who is not independent can't be asked, and says why", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const page = admin.page;
  const project = new ProjectPage(page);
  await project.create(`Not independent ${Date.now().toString(36)}`, "Risk");
  // The admin created it and owns its current stage: asking them is refused.
  await page.getByTestId("review-requests").getByText("Ask for a sign-off or review").click();
  const form = page.getByTestId("request-form");
  await form.getByLabel("Decision needed").selectOption("review");
  await form.getByLabel("Ask", { exact: true }).selectOption({ label: ADMIN.name });
  await form.getByRole("button", { name: "Send the request" }).click();
  await expect(form.getByLabel("Ask", { exact: true })).toHaveAccessibleDescription(
    `${ADMIN.name} owns this project's current stage: ask someone independent.`,
  );
  await expect(page.getByTestId("review-request")).toHaveCount(0);
});

test("the hand-over form proposes nobody and says what it needs", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const form = admin.page.getByTestId("hand-over-form");
  await expect(form.getByLabel("From")).toHaveValue("");
  await expect(form.getByLabel("To")).toHaveValue("");
  await form.getByRole("button", { name: "Hand over" }).click();
  await expect(form.getByLabel("From")).toHaveAccessibleDescription("Choose whose projects to hand over.");
});
