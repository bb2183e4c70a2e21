// The Live page against a real server with the simulator: values move, charts and the track map
// draw from the Arrow WebSocket, and every page of the app renders (screenshots in artifacts/).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, numberIn, screenshot, startServer, waitFor, watchErrors } from "./harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer({ extra: ["--lap-seconds", "20"] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the live page shows moving values fed by the Arrow WebSocket", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = watchErrors(page);
  await page.goto(`${server.url}/live`);
  await page.locator("[data-feed=pcars].ok").waitFor({ timeout: 30_000 });
  await page.locator("[data-test=transport]", { hasText: "Arrow WS" }).waitFor({ timeout: 30_000 });

  const speeds = [];
  const rpms = [];
  for (let i = 0; i < 6; i++) {
    speeds.push(await numberIn(page, "[data-test=speed]"));
    rpms.push(await numberIn(page, "[data-test=rpm]"));
    await page.waitForTimeout(400);
  }
  assert.ok(speeds.every(Number.isFinite), `speeds shown: ${speeds}`);
  assert.ok(new Set(speeds).size > 1 || new Set(rpms).size > 1, `values move: ${speeds} / ${rpms}`);
  assert.ok(speeds.some((v) => v > 0), "the car is moving");
  assert.match((await page.locator("[data-test=gear]").textContent()) ?? "", /^[RN1-8]$/);
  assert.ok((await numberIn(page, "[data-test=rows-per-s]")) > 10, "rows arrive at the feed's rate");

  // a strip chart per chosen channel, drawn by uPlot
  const charts = page.locator(".strip-plot canvas");
  assert.ok((await charts.count()) >= 4);
  const first = await page.locator(".strip .value").first().textContent();
  assert.match(first ?? "", /\d/);

  // the track map has drawn the driven line
  const painted = await page.evaluate(() => {
    const c = document.querySelector(".map-canvas");
    if (!(c instanceof HTMLCanvasElement)) return 0;
    const d = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 100, `track map pixels drawn: ${painted}`);

  // a channel added from the registry gets its own chart
  await page.fill("input[aria-label='Add channel']", "g_lat");
  await page.click("form button[type=submit]:has-text('Add')");
  await page.locator(".strip-plot[data-channel=g_lat] canvas").waitFor();
  await waitFor(async () => /\d/.test((await page.locator(".strip:has([data-channel=g_lat]) .value").textContent()) ?? ""), {
    message: "the g_lat chart's value",
  });

  await screenshot(page, "live");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the lap timer runs and the delta appears after a full lap", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${server.url}/live`);
  await page.locator("[data-test=lap-time]").waitFor();
  const t1 = await page.locator("[data-test=lap-time]").textContent();
  await page.waitForTimeout(1500);
  const t2 = await page.locator("[data-test=lap-time]").textContent();
  assert.notEqual(t1, t2, "the lap time runs");
  // laps of about 20 s: the delta to the best lap shows once one was seen whole
  await waitFor(async () => /^[+−0]/.test(((await page.locator("[data-test=delta]").textContent()) ?? "").trim()), {
    timeoutMs: 75_000,
    intervalMs: 500,
    message: "a live delta",
  });
  await page.close();
});

test("every page renders, also 360 px wide", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  for (const name of ["sessions", "analysis", "recordings", "risk", "settings"]) {
    await page.goto(`${server.url}/${name}`);
    await page.locator(".page").waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.locator(".nav-link.router-link-active").count(), 1, `${name} is the active page`);
    await screenshot(page, name);
  }
  const phone = await browser.newPage({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  await phone.goto(`${server.url}/live`);
  await phone.locator("[data-test=speed]").waitFor();
  await waitFor(async () => Number.isFinite(await numberIn(phone, "[data-test=speed]")), { message: "speed on a phone" });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling at 360 px (overflow ${overflow}px)`);
  await screenshot(phone, "live-360");
  assert.deepEqual(errors, []);
  await page.close();
  await phone.close();
});

test("unknown API paths stay JSON 404 while app pages reload into the app", async () => {
  const api = await fetch(`${server.url}/api/nothing-here`);
  assert.equal(api.status, 404);
  assert.match(api.headers.get("content-type") ?? "", /json/);
  const page = await browser.newPage();
  await page.goto(`${server.url}/recordings`);
  await page.locator(".topbar").waitFor();
  await page.goto(`${server.url}/analysis/some-session`);
  await page.locator(".topbar").waitFor();
  await page.close();
});
