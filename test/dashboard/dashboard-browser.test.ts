// The dashboard in headless Debian Chromium (playwright-core): it lists a job the test submitted
// through the contour async route, updates the row when the job finishes (the test acts as the
// module through the runtime routes), shows the job's query and result, and its revoke button
// really revokes a token (getCurrent then answers 401). With FOUNDRY_ADMIN_TOKEN the page asks for
// the token and sends it. Screenshot: test-results/dashboard.png.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium";
import { repositoryRoot, startEmulator, type TestEmulator } from "../support/emulator";
import { basicAuthorization, getCurrent, postForm, tokenUrl } from "../support/oauth";
import { mintToken, postJobResult, serviceAppBasic, submitJob, takeJob } from "./support/dashboard-client";

async function tokenIdOf(baseUrl: string, username: string, adminToken?: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_emulate/dashboard/data/tokens?principal=${username}`, { headers: adminToken ? { Authorization: `Bearer ${adminToken}` } : {} });
  const { data } = (await response.json()) as { data: Array<{ tokenId: string }> };
  expect(data).toHaveLength(1);
  return data[0]!.tokenId;
}

function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${String(error)}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return problems;
}

describe("the dashboard in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  describe("on a local emulator (no admin token)", () => {
    let emulator: TestEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ environment: { FOUNDRY_JOB_POLL_WAIT_MS: "500" } });
    });
    afterAll(() => emulator?.stop());

    it("lists a submitted job, follows it to succeeded, shows its result, and revokes a token", async () => {
      const base = emulator.baseUrl;
      const submitter = await mintToken(base, "alice", ["api:read-data"]);
      const jobId = await submitJob(base, submitter, { prompt: "hello from the browser test" }, "summarize");
      const bobToken = await mintToken(base, "bob", ["api:admin-read"]);
      expect((await getCurrent(base, bobToken)).status).toBe(200);
      const bobTokenId = await tokenIdOf(base, "bob");
      // Some OAuth traffic for the journal: a token for the service client, and a refused secret.
      expect((await postForm(tokenUrl(base), { grant_type: "client_credentials", scope: "api:read-data" }, { Authorization: serviceAppBasic })).status).toBe(200);
      expect((await postForm(tokenUrl(base), { grant_type: "client_credentials" }, { Authorization: basicAuthorization("service-app", "not-the-secret") })).status).toBe(401);

      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      const problems = watch(page);
      try {
        await page.goto(`${base}/_emulate/`);
        const row = page.locator(`tr[data-job-id="${jobId}"]`);
        await expect.poll(() => row.getAttribute("data-status"), { timeout: 6_000 }).toBe("queued");
        expect(await row.locator("td").nth(3).textContent()).toBe("summarize");
        expect(await row.locator("td").nth(4).textContent()).toContain("alice");
        await page.locator('tr[data-runtime-id="agent-loop"]').waitFor();
        await page.locator('tr[data-username="bob"]').waitFor();
        await page.locator('tr[data-client-id="confidential-app"]').waitFor();

        // The test acts as the module: take the job, post its result; the page follows within a poll.
        const taken = await takeJob(base);
        expect(taken).toEqual({ jobId, query: { prompt: "hello from the browser test" } });
        await expect.poll(() => row.getAttribute("data-status"), { timeout: 6_000 }).toBe("inProgress");
        await postJobResult(base, jobId, JSON.stringify({ summary: "a short answer" }));
        await expect.poll(() => row.getAttribute("data-status"), { timeout: 6_000 }).toBe("succeeded");
        expect(await row.locator('[data-field="status"]').textContent()).toBe("succeeded");

        // The job's detail: its query and a preview of its result.
        await row.locator("a").first().click();
        await expect.poll(() => page.locator('#job-detail pre[data-field="result"]').textContent(), { timeout: 6_000 }).toBe('{"summary":"a short answer"}');
        expect(JSON.parse((await page.locator('#job-detail pre[data-field="query"]').textContent()) ?? "null")).toEqual({ prompt: "hello from the browser test" });
        const download = page.waitForEvent("download");
        await page.locator('#job-detail button[data-action="download"]').click();
        expect((await download).suggestedFilename()).toBe(`job-${jobId}-result.json`);

        // The journal section shows the requests, the OAuth ones with their grant type.
        await page.locator('table[data-table="requests"] tbody tr', { hasText: "/api/v2/admin/users/getCurrent" }).first().waitFor();
        const refusal = page.locator('table[data-table="requests"] tbody tr', { hasText: "invalid_client" });
        expect(await refusal.textContent()).toContain("client_credentials");
        expect(await refusal.textContent()).not.toContain("not-the-secret");

        mkdirSync(join(repositoryRoot, "test-results"), { recursive: true });
        await page.screenshot({ path: join(repositoryRoot, "test-results/dashboard.png"), fullPage: true });

        // Revoke bob's token from its row: getCurrent then answers 401, and the row goes away.
        const tokenRow = page.locator(`table[data-table="tokens"] tr[data-token-id="${bobTokenId}"]`);
        await tokenRow.locator('button[data-action="revoke"]').click();
        await tokenRow.waitFor({ state: "detached" });
        expect((await getCurrent(base, bobToken)).status).toBe(401);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });

  describe("on a shared emulator (FOUNDRY_ADMIN_TOKEN set)", () => {
    const adminToken = "browser-admin-token";
    let emulator: TestEmulator;
    beforeAll(async () => {
      emulator = await startEmulator({ environment: { FOUNDRY_ADMIN_TOKEN: adminToken } });
    });
    afterAll(() => emulator?.stop());

    it("asks for the admin token, then shows the data and sends the token with the buttons", async () => {
      const base = emulator.baseUrl;
      const bobToken = await mintToken(base, "bob", ["api:admin-read"], adminToken);
      const bobTokenId = await tokenIdOf(base, "bob", adminToken);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8_000);
      try {
        await page.goto(`${base}/_emulate/`);
        await expect.poll(() => page.locator("#banner").textContent(), { timeout: 6_000 }).toContain("FOUNDRY_ADMIN_TOKEN");
        expect(await page.locator(`tr[data-token-id="${bobTokenId}"]`).count()).toBe(0);

        await page.locator("#admin-token").fill(adminToken);
        await page.locator('#admin-token-form button[type="submit"]').click();
        const tokenRow = page.locator(`table[data-table="tokens"] tr[data-token-id="${bobTokenId}"]`);
        await tokenRow.waitFor();
        expect(await page.locator("#banner").isHidden()).toBe(true);
        expect(await page.evaluate(() => sessionStorage.getItem("foundry-emulator.adminToken"))).toBe(adminToken);

        const revoke = page.waitForRequest((request) => request.url().endsWith(`/_emulate/foundry/tokens/${bobTokenId}/revoke`));
        await tokenRow.locator('button[data-action="revoke"]').click();
        expect((await revoke).headers().authorization).toBe(`Bearer ${adminToken}`);
        await tokenRow.waitFor({ state: "detached" });
        expect((await getCurrent(base, bobToken)).status).toBe(401);
      } finally {
        await context.close();
      }
    });
  });
});
