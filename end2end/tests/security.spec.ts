import { test, expect } from "@playwright/test";
import { ADMIN, AccountsPage, LoginPage, expectAccessible, hydrated, newPerson, signIn } from "./support";

test("a form on another port of the same host cannot act with the admin's cookie", async ({ page, baseURL }) => {
  await signIn(page, ADMIN);
  const mallory = newPerson("Forged");
  // The attacker's page: same host, another port, so the browser sends the admin's cookie.
  const evil = `${new URL(baseURL!).protocol}//${new URL(baseURL!).hostname}:3999/evil`;
  await page.route(evil, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Win a prize</title>
        <form id="f" method="post" action="${baseURL}/api/accounts/create">
          <input name="display_name" value="${mallory.name}">
          <input name="email" value="${mallory.email}">
          <input name="role" value="admin">
          <input name="password" value="${mallory.password}">
        </form>
        <script>document.getElementById("f").submit()</script>`,
    }),
  );
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/accounts/create")),
    page.goto(evil),
  ]);
  expect(response.status()).toBe(403);
  expect((await response.json()).code).toBe("forbidden_origin");

  const accounts = new AccountsPage(page);
  await accounts.open();
  await expect(accounts.row(mallory.email)).toHaveCount(0);
});

test("pages hydrate under the Content-Security-Policy without a single violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content[- ]Security[- ]Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  await signIn(page, ADMIN);
  for (const path of ["/", "/portfolio", "/projects", "/projects/new", "/admin/accounts", "/admin/thresholds", "/account"]) {
    const response = await page.goto(path);
    const policy = response?.headers()["content-security-policy"] ?? "";
    expect(policy, path).toContain("'nonce-");
    expect(policy, path).toContain("frame-ancestors 'none'");
    expect(response?.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(response?.headers()["cache-control"], path).toBe("no-store");
    await hydrated(page);
  }
  // In-app navigation after hydration fetches data with the policy in force too.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});

test("the sign-in page shows only messages Tollgate chose, never text from its address", async ({ page }) => {
  const planted = JSON.stringify({ code: "refused", message: "Your account is locked: call +1 555 0100 now" });
  await page.goto(`/login?__err=${encodeURIComponent(planted)}`);
  await hydrated(page);
  await expect(page.getByText("555 0100")).toHaveCount(0);
  await expectAccessible(page);

  // A real refusal still reads as it should.
  const login = new LoginPage(page);
  await login.open();
  await login.signIn(ADMIN.email, "not the right password at all");
  await expect(login.formError()).toContainText("don't match an account");
  await expectAccessible(page);
});
