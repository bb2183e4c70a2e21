// Shared fixtures of the browser tests: a real `paddock serve --simulate` on free ports with a
// temporary data directory (stopped by its own PID), and Debian's Chromium driven by
// playwright-core. Tests import it from their own file:
//
//   import { startServer, launchBrowser, screenshot } from "./harness.mjs";
//   const server = await startServer();            // server.url, server.dataDir, server.stop()
//   const browser = await launchBrowser();         // a playwright-core Browser
//
// The Python interpreter is `$PADDOCK_PYTHON` or the repository's `.venv/bin/python`; Chromium
// is `$CHROMIUM` or /usr/bin/chromium. The web app must be built (`just setup`).
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = path.join(ROOT, "tests/browser/artifacts");
const require = createRequire(path.join(ROOT, "web/package.json"));
const { chromium } = require("playwright-core");

/** Flags for Chromium on a machine with a closed network, as root, without a display. */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A TCP port nobody listens on at 127.0.0.1. */
export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A UDP port nobody uses at 127.0.0.1. */
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws `message`). */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 200, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

function python() {
  if (process.env.PADDOCK_PYTHON) return process.env.PADDOCK_PYTHON;
  const venv = path.join(ROOT, ".venv/bin/python");
  return existsSync(venv) ? venv : "python3";
}

/**
 * Starts `paddock serve --simulate` on free ports with a fresh data directory and waits until
 * /api/health answers. `extra` adds CLI flags, `env` environment variables.
 */
export async function startServer({ extra = [], env = {}, readyTimeoutMs = 90_000 } = {}) {
  if (!existsSync(path.join(ROOT, "python/paddock/web/index.html"))) {
    throw new Error("the web app is not built: run `just setup` (or `cd web && npm ci && npm run build`)");
  }
  const port = await freeTcpPort();
  const [pcars, ac, acc] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const base = mkdtempSync(path.join(tmpdir(), "paddock-browser-"));
  const dataDir = path.join(base, "data");
  const logPath = path.join(base, "server.log");
  const log = openSync(logPath, "w");
  const args = [
    "-m", "paddock.cli", "serve", "--simulate",
    "--port", String(port), "--listen", "127.0.0.1",
    "--pcars-port", String(pcars), "--ac-port", String(ac), "--acc-port", String(acc), "--ttool-port", "0",
    "--data-dir", dataDir, ...extra,
  ];
  const childEnv = { ...process.env, PYTHONUNBUFFERED: "1", ...env };
  if (!("PADDOCK_API_TOKEN" in env)) delete childEnv.PADDOCK_API_TOKEN;
  const proc = spawn(python(), args, { cwd: ROOT, env: childEnv, stdio: ["ignore", log, log] });
  let exited = null;
  proc.on("exit", (code, signal) => {
    exited = { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;
  const tokenAt = extra.indexOf("--api-token");
  const token = tokenAt >= 0 ? extra[tokenAt + 1] : env.PADDOCK_API_TOKEN;
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const server = {
    url,
    port,
    dataDir,
    pid: proc.pid,
    log: () => readFileSync(logPath, "utf8").slice(-4000),
    /** Stops the server by its PID (SIGINT, then SIGKILL after 20 s) and removes its data. */
    async stop({ keepData = false } = {}) {
      if (exited === null) {
        process.kill(proc.pid, "SIGINT");
        const deadline = Date.now() + 20_000;
        while (exited === null && Date.now() < deadline) await sleep(100);
        if (exited === null) {
          process.kill(proc.pid, "SIGKILL");
          while (exited === null) await sleep(50);
        }
      }
      if (!keepData) rmSync(base, { recursive: true, force: true });
      return exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (exited !== null) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${server.log()}`);
        const res = await fetch(`${url}/api/health`, { headers }).catch(() => null);
        return res?.ok;
      },
      { timeoutMs: readyTimeoutMs, message: "the server's /api/health" },
    );
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** Debian's Chromium, headless, through playwright-core. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** Saves a full-page screenshot as tests/browser/artifacts/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects the page's console errors and uncaught exceptions (to assert there are none). */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Reads a number shown in the element matching `selector` (NaN when it shows none). */
export async function numberIn(page, selector) {
  const text = (await page.locator(selector).first().textContent()) ?? "";
  return Number(text.replace(/[^0-9.+-]/g, ""));
}
