import { test, expect } from "@playwright/test";
import { adminSession, hydrated, LoginPage, newPerson, signIn } from "./support";

test("an admin creates an editor, who signs in and out, and is refused once deactivated", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const editor = newPerson("Editor");
  await admin.create(editor, "editor");
  await expect(admin.row(editor.email)).toContainText("Active");

  const page = await (await browser.newContext()).newPage();
  await signIn(page, editor);
  await expect(page.getByTestId("signed-in-user")).toContainText(editor.name);
  await expect(page.getByTestId("signed-in-user")).toContainText("Editor");
  // Editors do not manage accounts: no link, and the page says so.
  await expect(page.getByRole("link", { name: "Accounts" })).toHaveCount(0);
  await page.goto("/admin/accounts");
  await expect(page.getByRole("heading", { name: "Not available to your role" })).toBeVisible();

  await page.goto("/");
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  // A wrong password and an unknown email get the same message.
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(editor.email, "not the right password");
  await expect(login.formError()).toHaveText("That email and password don't match an account.");
  await login.signIn("nobody-here@example.com", "not the right password");
  await expect(login.formError()).toHaveText("That email and password don't match an account.");

  // Signed in again, then deactivated: the session ends at once and sign-in is refused — with
  // the same words as a wrong password, so sign-in tells nobody which accounts exist.
  await signIn(page, editor);
  await admin.deactivate(editor);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await login.signIn(editor.email, editor.password);
  await expect(login.formError()).toHaveText("That email and password don't match an account.");
});

test("the new-account form explains each wrong field and keeps what was typed", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const page = admin.page;
  const form = page.getByTestId("new-account-form");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByLabel("Name")).toHaveAccessibleDescription("Enter a name.");
  await expect(form.getByLabel("Email")).toHaveAccessibleDescription("Enter an email address.");
  await expect(form.getByLabel("Initial password")).toHaveAccessibleDescription(/Enter a password\./);

  const existing = newPerson("Reviewer");
  await admin.create(existing, "reviewer");
  await form.getByLabel("Name").fill("Someone Else");
  await form.getByLabel("Email").fill(existing.email.toUpperCase());
  await form.getByLabel("Initial password").fill("another long password");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByLabel("Email")).toHaveAccessibleDescription(
    "An account with this email already exists.",
  );
  await expect(form.getByLabel("Name")).toHaveValue("Someone Else");
});

test("an admin changes a role and reactivates an account", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const page = admin.page;
  const person = newPerson("Viewer");
  await admin.create(person, "viewer");
  const row = admin.row(person.email);
  await row.getByLabel(`Role of ${person.name}`).selectOption("reviewer");
  // Wait for the save itself before reloading, or the reload may cancel it.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/accounts/role")),
    row.getByRole("button", { name: "Save role" }).click(),
  ]);
  await page.reload();
  await hydrated(page);
  await expect(admin.row(person.email).getByLabel(`Role of ${person.name}`)).toHaveValue("reviewer");

  await admin.deactivate(person);
  await page.getByRole("button", { name: `Reactivate ${person.name}` }).click();
  await expect(admin.row(person.email)).toContainText("Active");

  const other = await (await browser.newContext()).newPage();
  await signIn(other, person);
  await expect(other.getByTestId("signed-in-user")).toContainText("Reviewer");
});

test("five wrong passwords lock the account for a while, with a clear message", async ({ page }) => {
  const login = new LoginPage(page);
  await login.open();
  const email = newPerson("Target").email;
  for (let attempt = 1; attempt <= 5; attempt++) {
    await login.signIn(email, `wrong password ${attempt}`);
    await expect(login.formError()).toHaveText("That email and password don't match an account.");
  }
  await login.signIn(email, "wrong password 6");
  await expect(login.formError()).toHaveText(/Too many failed sign-in attempts\. Try again in 1[45] minute\(s\)\./);
});

test("an unknown address shows the not-found page with a 404", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("people change their own password: wrong current one refused, other sessions end, the new one signs in", async ({
  browser,
}) => {
  const admin = await adminSession(await browser.newContext());
  const person = newPerson("Reviewer");
  await admin.create(person, "reviewer");
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, person);

  const page = await (await browser.newContext()).newPage();
  await signIn(page, person);
  await page.getByRole("link", { name: person.name }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await hydrated(page);
  const form = page.getByTestId("password-form");
  const fresh = `${person.password}-renewed`;
  await form.getByLabel("Current password").fill("not my password at all");
  await form.getByLabel("New password", { exact: true }).fill(fresh);
  await form.getByLabel("Repeat the new password").fill(fresh);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByLabel("Current password")).toHaveAccessibleDescription("That is not your current password.");

  await form.getByLabel("Current password").fill(person.password);
  await form.getByLabel("New password", { exact: true }).fill(fresh);
  await form.getByLabel("Repeat the new password").fill(fresh);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("form-success")).toContainText("Password changed");

  // This browser stays signed in; the other session has ended.
  await page.goto("/account");
  await expect(page.getByTestId("account-identity")).toContainText(person.email);
  await elsewhere.goto("/");
  await expect(elsewhere).toHaveURL(/\/login$/);
  const login = new LoginPage(elsewhere);
  await hydrated(elsewhere);
  await login.signIn(person.email, person.password);
  await expect(login.formError()).toHaveText("That email and password don't match an account.");
  await signIn(elsewhere, { email: person.email, password: fresh });
});

test("an admin resets a password to a temporary one that must be replaced at the next sign-in", async ({ browser }) => {
  const admin = await adminSession(await browser.newContext());
  const person = newPerson("Viewer");
  await admin.create(person, "viewer");
  await admin.row(person.email).getByRole("button", { name: `Reset password for ${person.name}` }).click();
  const temporary = (await admin.page.getByTestId("temporary-password-value").innerText()).trim();
  expect(temporary).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

  const page = await (await browser.newContext()).newPage();
  await signIn(page, { email: person.email, password: temporary });
  await expect(page.getByTestId("must-change-password")).toBeVisible();
  await page.goto("/projects");
  await expect(page.getByTestId("must-change-password")).toBeVisible();
  await hydrated(page);
  const form = page.getByTestId("password-form");
  const fresh = `${person.password}-mine`;
  await form.getByLabel("Current password").fill(temporary);
  await form.getByLabel("New password", { exact: true }).fill(fresh);
  await form.getByLabel("Repeat the new password").fill(fresh);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "Portfolio", level: 1 })).toBeVisible();
  await expect(page.getByTestId("must-change-password")).toHaveCount(0);
});
