import { test, expect } from "@playwright/test";
import { adminSession, LoginPage, newPerson, signIn } from "./support";

test.describe("before the WebAssembly loads (JavaScript disabled)", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in and out works with plain HTML forms, errors included", async ({ browser, page }) => {
    const admin = await adminSession(await browser.newContext({ javaScriptEnabled: true }));
    const editor = newPerson("NoJS Editor");
    await admin.create(editor, "editor");

    const login = new LoginPage(page, false);
    await login.open();
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter your email address.");
    await expect(page.getByLabel("Password")).toHaveAccessibleDescription("Enter your password.");

    await login.signIn(editor.email, "not the right password");
    await expect(login.formError()).toHaveText("That email and password don't match an account.");

    await signIn(page, editor, false);
    await expect(page.getByTestId("signed-in-user")).toContainText(editor.name);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });
});
