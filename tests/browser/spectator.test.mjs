// Spectator links: on a server that requires an API token, the Live page (given the token)
// creates a link; a browser without the token opens it and sees the live values, read-only.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, numberIn, screenshot, startServer, waitFor, watchErrors } from "./harness.mjs";

const TOKEN = "browser-test-token";
let server;
let browser;

before(async () => {
  server = await startServer({ extra: ["--api-token", TOKEN] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("without the token the app says so; with it the live page works", async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/live`);
  await page.locator(".status .chip.bad").first().waitFor();
  assert.match((await page.locator(".status .chip.bad").first().textContent()) ?? "", /token/i);
  await page.goto(`${server.url}/settings`);
  await page.fill("input[aria-label='API token']", TOKEN);
  await page.click("button:has-text('Save')");
  await page.locator("text=running").first().waitFor({ timeout: 10_000 }).catch(() => undefined);
  await page.goto(`${server.url}/live`);
  await page.locator("[data-test=transport]", { hasText: "Arrow WS" }).waitFor({ timeout: 30_000 });
  await ctx.close();
});

test("a spectator link opens a read-only live view without the API token", async () => {
  const owner = await browser.newContext();
  await owner.addInitScript((t) => localStorage.setItem("paddock.token", t), TOKEN);
  const page = await owner.newPage();
  await page.goto(`${server.url}/live`);
  await page.locator("[data-feed=pcars].ok").waitFor({ timeout: 30_000 });
  await page.click("[data-test=share]");
  const link = await page.locator("input[aria-label='Spectator link']").inputValue({ timeout: 10_000 });
  assert.match(link, /\/spectate\/[^/?]+/);
  await owner.close();

  const viewer = await browser.newContext();
  const view = await viewer.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = watchErrors(view);
  await view.goto(link);
  await view.locator("text=spectator · read-only").waitFor();
  await view.locator("[data-test=transport]", { hasText: "Arrow WS" }).waitFor({ timeout: 30_000 });
  const a = await waitFor(async () => {
    const v = await numberIn(view, "[data-test=speed]");
    return Number.isFinite(v) ? v : null;
  }, { message: "speed in the spectator view" });
  await view.waitForTimeout(1000);
  const b = await numberIn(view, "[data-test=speed]");
  assert.ok(Number.isFinite(b));
  assert.ok(a !== b || (await numberIn(view, "[data-test=rows-per-s]")) > 10, "values arrive");
  assert.equal(await view.locator("[data-test=record]").count(), 0, "no record button");
  assert.equal(await view.locator("[data-test=share]").count(), 0, "no new links");
  assert.equal(await view.locator(".topbar").count(), 0, "no navigation to pages it cannot open");
  await screenshot(view, "spectator");
  assert.deepEqual(errors, []);

  // the token opens the live views only
  const token = decodeURIComponent(link.split("/spectate/")[1].split("?")[0]);
  const denied = await fetch(`${server.url}/api/recordings`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(denied.status, 401);
  await viewer.close();
});
