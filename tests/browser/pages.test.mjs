// Browser tests of the Sessions, Analysis, Recordings and Risk pages against a real
// `paddock serve --simulate` (laps of 20 s so they complete quickly), in Debian's Chromium driven
// by playwright-core: a session is created, a run recorded on the simulator, the session
// completed, and its lap table and lap overlay show real numbers; notes round-trip (add, edit,
// see it, export). Screenshots of each page go to tests/browser/artifacts/.
//
// Run from web/: `npm run build && npm run test:browser` (fixtures in harness.mjs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { launchBrowser, screenshot, sleep, startServer, waitFor, watchErrors } from "./harness.mjs";

const LAP_SECONDS = 20;

let server;
let base;
let browser;

async function api(pathname, init) {
  const res = await fetch(`${base}${pathname}`, init);
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const shot = (page, name) => screenshot(page, `pages-${name}`);

before(async () => {
  server = await startServer({ extra: ["--lap-seconds", String(LAP_SECONDS)] });
  base = server.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("sessions and analysis pages", () => {
  let page;
  let sid;
  let errors;

  before(async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on("dialog", (d) => d.accept());
    errors = watchErrors(page);
  });

  after(() => {
    assert.deepEqual(errors, [], "no console errors or exceptions on the pages");
  });

  it("creates a session through the one form", async () => {
    await page.goto(`${base}/sessions`);
    await page.getByTestId("new-session").click();
    await page.getByText("Test session (ASTRA)").click();
    await page.locator("#sf-name").fill("Browser test session");
    await page.locator("#sf-description").fill("created by the browser test");
    await page.getByRole("button", { name: "Create session" }).click();
    await page.waitForURL(/\/sessions\/[^/]+$/);
    sid = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
    await page.getByTestId("session-detail").getByRole("heading", { name: "Browser test session" }).waitFor();
    const session = await api(`/api/sessions/${sid}`);
    assert.equal(session.name, "Browser test session");
    assert.equal(session.description, "created by the browser test");
    assert.equal(session.status, "active");
  });

  it("round-trips notes: add, see, edit, filter, export", async () => {
    const form = page.getByTestId("note-form");
    await form.locator("textarea").fill("understeer in turn 3");
    await form.locator("input[name=speaker]").fill("driver");
    await form.locator("input[name=tags]").fill("balance, tyres");
    await form.getByRole("button", { name: "Add note" }).click();
    const notes = page.getByTestId("notes");
    await notes.getByText("understeer in turn 3").waitFor();
    let stored = await api(`/api/sessions/${sid}/notes`);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].speaker, "driver");
    assert.deepEqual(stored[0].tags, ["balance", "tyres"]);

    await notes.getByRole("button", { name: "Edit" }).click();
    await notes.locator("textarea[name=edit-content]").fill("oversteer in turn 3");
    await notes.getByRole("button", { name: "Save" }).click();
    await notes.getByText("oversteer in turn 3").waitFor();
    stored = await api(`/api/sessions/${sid}/notes`);
    assert.equal(stored[0].content, "oversteer in turn 3");

    // a note posted by another client arrives over the session WebSocket
    await api(`/api/sessions/${sid}/notes`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ timestamp: new Date().toISOString(), content: "box this lap", speaker: "engineer", type: "command" }),
    });
    await notes.getByText("box this lap").waitFor({ timeout: 10_000 });
    await notes.getByLabel("filter by speaker").selectOption("engineer");
    await notes.getByText("oversteer in turn 3").waitFor({ state: "detached" });
    await notes.getByLabel("filter by speaker").selectOption("");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-md").click()]);
    const file = path.join(server.dataDir, "notes.md");
    await download.saveAs(file);
    const markdown = readFileSync(file, "utf8");
    assert.match(markdown, /oversteer in turn 3/);
    assert.match(markdown, /box this lap/);
  });

  it("records a run on the simulator, completes the session and shows its laps", { timeout: 240_000 }, async () => {
    await page.getByTestId("start-run").click();
    await page.getByTestId("stop-run").waitFor();
    // laps of 20 s: wait until the session in progress has two flying laps
    await waitFor(
      async () => {
        const t = await api(`/api/sessions/${sid}/analytics/lap_time_table`);
        return t.laps.filter((l) => !l.out_lap && !l.in_lap).length >= 2;
      },
      { timeoutMs: 150_000, intervalMs: 1000, message: "two flying laps" },
    );
    await shot(page, "sessions-running");
    await page.getByTestId("stop-run").click();
    await page.getByTestId("start-run").waitFor();
    await page.getByTestId("complete").click();
    await page.getByTestId("session-status").filter({ hasText: "completed" }).waitFor();
    await page.getByTestId("session-analysis").locator("tbody tr").first().waitFor();
    await shot(page, "sessions");
  });

  it("renders the lap table and the lap overlay with real numbers", { timeout: 60_000 }, async () => {
    await page.getByTestId("open-analysis").click();
    const table = page.getByTestId("lap-table");
    await table.locator("td[data-col=lap-time]").first().waitFor();
    const times = await table.locator("td[data-col=lap-time]").allTextContents();
    const api_table = await api(`/api/sessions/${sid}/analytics/lap_time_table`);
    assert.equal(times.length, api_table.laps.length);
    for (const t of times) assert.match(t.trim(), /^(\d+:)?\d{1,2}\.\d{3}$/);
    // the page chose the two best flying laps for the overlay
    await page.waitForURL(/laps=/);
    const overlay = page.getByTestId("overlay");
    await overlay.locator(".chart[data-trace=speed_kmh] canvas").first().waitFor();
    await overlay.locator(".chart[data-trace=delta] canvas").first().waitFor();
    const legend = await page.getByTestId("overlay-legend").textContent();
    assert.match(legend, /reference/);
    assert.match(legend, /[+-]?\d+\.\d{3} s at the line/);
    // hovering the speed trace shows the values at that distance
    const box = await overlay.locator(".chart[data-trace=speed_kmh] .u-over").boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const readout = await page.getByTestId("overlay-readout").textContent();
    assert.match(readout, /@ \d+ m/);
    assert.match(readout, /\d+ km\/h/);
    const perf = await page.evaluate(() => performance.getEntriesByName("overlay:render").length);
    assert.ok(perf >= 1);
    await page.getByTestId("track-map").locator("canvas").waitFor();
    await page.getByRole("button", { name: "time gained/lost" }).click();
    await page.getByTestId("scorecard").locator("table").waitFor();
    await shot(page, "analysis");
  });

  it("lays the analysis out for a 360 px phone", async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.reload();
    await page.getByTestId("overlay").locator(".chart canvas").first().waitFor();
    await page.getByTestId("scorecard").locator("table").waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360 + 1, `the page is ${width} px wide`);
    await shot(page, "analysis-360");
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});

describe("recordings and risk pages", () => {
  let page;

  before(async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on("dialog", (d) => d.accept());
  });

  it("lists a recording with its files and deletes it after confirmation", { timeout: 60_000 }, async () => {
    const started = await api("/api/recordings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "browser recording" }),
    });
    await sleep(1500);
    await api("/api/recordings/stop?force=true", { method: "POST" });
    await page.goto(`${base}/recordings`);
    await page.getByTestId("recordings-list").getByText("browser recording").click();
    const detail = page.getByTestId("recording-detail");
    await detail.getByText("intact").waitFor();
    await detail.getByText("recording.mcap").first().waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), detail.getByRole("button", { name: "MCAP" }).click()]);
    assert.equal(download.suggestedFilename(), `${started.id}.mcap`);
    await shot(page, "recordings");
    await detail.getByTestId("delete-recording").click();
    await detail.getByTestId("confirm-delete").click();
    await page.waitForURL(/\/recordings$/);
    await assert.rejects(api(`/api/recordings/${started.id}`), /404/);
  });

  it("edits boundaries, drives runtime control and shows its refusals", { timeout: 60_000 }, async () => {
    await page.goto(`${base}/risk`);
    const b = page.getByTestId("boundaries");
    await b.getByTestId("new-boundary").click();
    const form = b.getByTestId("boundary-form");
    await form.locator("#b-name").fill("overspeed");
    await form.locator("#b-channel").fill("speed_kmh");
    await form.locator("#b-max").fill("5");
    await form.getByRole("button", { name: "Create" }).click();
    await b.getByRole("cell", { name: "overspeed", exact: true }).waitFor();
    const boundary = await api("/api/boundaries/overspeed");
    assert.equal(boundary.max, 5);
    // the simulated car goes faster than 5 km/h: the risk log fills
    await page.getByTestId("risk-log").locator("tbody tr").first().waitFor({ timeout: 20_000 });

    const control = page.getByTestId("control");
    await control.getByTestId("control-state").filter({ hasText: "running" }).waitFor();
    await control.getByRole("button", { name: "Start" }).click();
    const refusal = await control.getByTestId("control-error").textContent();
    assert.match(refusal, /cannot start/);
    await control.getByRole("button", { name: "Pause" }).click();
    await control.getByTestId("control-state").filter({ hasText: "paused" }).waitFor();
    await control.getByRole("button", { name: "Resume" }).click();
    await control.getByTestId("control-state").filter({ hasText: "running" }).waitFor();
    await shot(page, "risk");
  });
});
