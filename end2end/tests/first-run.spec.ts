import { test, expect } from "@playwright/test";
import { ADMIN, hydrated } from "./support";

test("the first visit sets up the first admin, and then the setup is gone", async ({ page, request }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await hydrated(page);

  // An empty submission gets a message next to every field.
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByLabel("Your name")).toHaveAccessibleDescription("Enter a name.");
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter an email address.");
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(
    /Enter a password\./,
  );

  // A short password and a mismatched confirmation are explained.
  await page.getByLabel("Your name").fill(ADMIN.name);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("too short");
  await page.getByLabel("Repeat the password").fill("something else");
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(
    /Use at least 12 characters \(9 so far\)\./,
  );
  await expect(page.getByLabel("Repeat the password")).toHaveAccessibleDescription(
    "The two passwords don't match.",
  );
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);

  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("signed-in-user")).toContainText(ADMIN.name);
  await expect(page.getByTestId("signed-in-user")).toContainText("Admin");
  await expect(page.getByRole("heading", { name: "No projects yet" })).toBeVisible();

  // The form is gone: visiting it signed out lands on sign-in instead.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$/);

  // And its endpoint refuses (asked from our own origin; any other is refused before that).
  const response = await request.post("/api/setup", {
    headers: { Origin: new URL(page.url()).origin },
    form: {
      display_name: "Mallory",
      email: "mallory@example.com",
      password: "a long enough password",
      password_confirmation: "a long enough password",
    },
  });
  expect(response.status()).toBe(409);
  expect((await response.json()).code).toBe("setup_closed");
});
