import { expect, type Browser, type Page, type BrowserContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Asserts axe-core finds no serious or critical accessibility violation on the page as it is. */
export async function expectAccessible(page: Page): Promise<void> {
  // Judge the page as it settles, not while a view is loading (the old one is dimmed then).
  await expect(page.locator(".reloading")).toHaveCount(0);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious, `axe on ${page.url()}`).toEqual([]);
}

/** The admin the first-run spec creates; every other journey signs in as them. */
export const ADMIN = {
  name: "Ada Admin",
  email: "ada.admin@example.com",
  password: "correct horse battery staple",
};

/** A new, unique person for one test. */
export function newPerson(label: string) {
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `${label} ${unique}`,
    email: `${label.toLowerCase().replace(/\W+/g, ".")}.${unique}@example.com`,
    password: `pw-${unique}-long-enough`,
  };
}

/** Waits until the WebAssembly has taken over the page (set in `hydrate()`). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Page object for the sign-in page. */
export class LoginPage {
  constructor(private readonly page: Page, private readonly js = true) {}

  async open(): Promise<void> {
    await this.page.goto("/login");
    if (this.js) await hydrated(this.page);
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  formError() {
    return this.page.getByTestId("form-error");
  }
}

/** Signs in through the form and waits for the home page. */
export async function signIn(page: Page, who: { email: string; password: string }, js = true): Promise<void> {
  const login = new LoginPage(page, js);
  await login.open();
  await login.signIn(who.email, who.password);
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
}

/** Page object for the admin's Accounts page. */
export class AccountsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/admin/accounts");
    await hydrated(this.page);
    await expect(this.page.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();
  }

  async create(person: { name: string; email: string; password: string }, role: string): Promise<void> {
    const form = this.page.getByTestId("new-account-form");
    await form.getByLabel("Name").fill(person.name);
    await form.getByLabel("Email").fill(person.email);
    await form.getByLabel("Role").selectOption(role);
    await form.getByLabel("Initial password").fill(person.password);
    await form.getByRole("button", { name: "Create account" }).click();
    await expect(this.page.getByTestId("form-success")).toContainText(person.name);
    await expect(this.row(person.email)).toBeVisible();
  }

  row(email: string) {
    return this.page.locator(`[data-test="account-row"][data-email="${email}"]`);
  }

  async deactivate(person: { name: string; email: string }): Promise<void> {
    await this.page.getByRole("button", { name: `Deactivate ${person.name}` }).click();
    await expect(this.row(person.email)).toContainText("Deactivated");
  }
}

/** A signed-in admin in a context of its own, ready to manage accounts. */
export async function adminSession(context: BrowserContext): Promise<AccountsPage> {
  const page = await context.newPage();
  await signIn(page, ADMIN);
  const accounts = new AccountsPage(page);
  await accounts.open();
  return accounts;
}

/** A signed-in person in a browser context of their own. */
export async function sessionAs(
  browser: Browser,
  who: { email: string; password: string },
  js = true,
): Promise<Page> {
  const page = await (await browser.newContext({ javaScriptEnabled: js })).newPage();
  await signIn(page, who, js);
  return page;
}

/** Page object for one project's page and its edit form. */
export class ProjectPage {
  constructor(readonly page: Page, private readonly js = true) {}

  async ready(): Promise<void> {
    if (this.js) await hydrated(this.page);
  }

  /** Creates a project from the "New project" form and lands on its page. */
  async create(name: string, team: string): Promise<void> {
    await this.page.goto("/projects/new");
    await this.ready();
    await this.page.getByLabel("Name").fill(name);
    await this.page.getByLabel("Team").fill(team);
    await this.page.getByRole("button", { name: "Create project" }).click();
    await expect(this.page.getByTestId("project-name")).toHaveText(name);
    await this.ready();
  }

  /** Opens the edit form, fills the given labelled fields, and saves. */
  async edit(fields: Record<string, string>): Promise<void> {
    await this.page.getByRole("link", { name: "Edit project" }).click();
    await expect(this.page.getByRole("button", { name: "Save changes" })).toBeVisible();
    await this.ready();
    for (const [label, value] of Object.entries(fields)) {
      await this.page.getByLabel(label, { exact: true }).fill(value);
    }
    await this.page.getByRole("button", { name: "Save changes" }).click();
    await expect(this.page.getByTestId("project-name")).toBeVisible();
    await this.ready();
  }

  /** Adds an interview as user-research evidence, through the form on the project page. */
  async addEvidence(title: string): Promise<void> {
    const section = this.page.getByTestId("records-evidence");
    const form = section.getByTestId("evidence-form");
    if (!(await form.isVisible())) await section.getByText("Add user-research evidence").click();
    await form.getByLabel("Kind").selectOption("interview");
    await form.getByLabel("Participants").fill("8");
    await form.getByLabel("Title").fill(title);
    await form.getByLabel("Findings").fill("Adjusters triage by hand and want a ranked queue.");
    await form.getByRole("button", { name: "Add evidence" }).click();
    await expect(section.getByTestId("record").filter({ hasText: title })).toBeVisible();
    await this.ready();
  }

  /** Logs a demo checkpoint held today through the form on the project page. */
  async addDemo(summary: string): Promise<void> {
    const section = this.page.getByTestId("records-demos");
    const form = section.getByTestId("demo-form");
    // The form is folded away unless a refused submission left it open.
    if (!(await form.isVisible())) await section.getByText("Add a demo checkpoint").click();
    await form.getByLabel("Outcome").selectOption("continue");
    await form.getByLabel("Attendees").fill("Claims leads, data science");
    await form.getByLabel("What was shown and learned").fill(summary);
    await form.getByRole("button", { name: "Add demo" }).click();
    await expect(section.getByTestId("record").filter({ hasText: summary })).toBeVisible();
    await this.ready();
  }

  /** Moves forward; `owner` picks the next stage's owner by name ("" for nobody), else the form's proposal stands. */
  async moveTo(stage: string, owner?: string): Promise<void> {
    const form = this.page.getByTestId("move-forward-form");
    if (owner !== undefined) {
      const select = form.getByLabel(`Owner of ${stage}`);
      if (owner === "") await select.selectOption({ value: "" });
      else await select.selectOption({ label: owner });
    }
    await form.getByRole("button", { name: `Move to ${stage}` }).click();
  }

  currentStage() {
    return this.page.locator('[data-test="stage-stepper"] [aria-current="step"]');
  }

  refusal() {
    return this.page.getByTestId("move-refused");
  }

  timeline() {
    return this.page.getByTestId("timeline");
  }
}
