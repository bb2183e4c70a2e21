// paddock's service worker. The build fills in PRECACHE (the app shell: index.html, every hashed
// asset, the manifest and icons) and VERSION (a hash of that list).
//
// - The app shell is cached at install, so the app opens with the server unreachable.
// - Page loads (navigations) go to the network first and fall back to the cached index.html.
// - Hashed assets are served from the cache first (their names change when their content does).
// - GETs of recorded data (sessions, recordings, laps, analysis) go to the network first and keep
//   the last answer, so sessions already looked at still show offline.
// - Live data (streams, /api/live, WebSockets) is never cached.

const SHELL = `paddock-shell-${VERSION}`;
const DATA = "paddock-data-v1";

const LIVE = [/^\/api\/live/, /^\/api\/stream/, /^\/api\/health/, /^\/api\/recording(-health)?$/, /^\/ws/, /\/stream$/];
const RECORDED = [/^\/api\/sessions/, /^\/api\/recordings/, /^\/api\/mcap\/sessions/, /^\/api\/channels$/, /^\/api\/analytics/, /^\/api\/tracks/, /^\/api\/risk/, /^\/api\/boundaries/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("paddock-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(fallbackUrl ?? request, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(fallbackUrl ?? request)) ?? (fallbackUrl ? await caches.match(fallbackUrl) : undefined);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (LIVE.some((re) => re.test(path))) return;
  if ((request.headers.get("accept") ?? "").includes("text/event-stream")) return;

  if (request.mode === "navigate") {
    // API documentation and file downloads are not the app
    if (/^\/(docs|schema|api)(\/|$)/.test(path)) return;
    event.respondWith(networkFirst(request, SHELL, "/index.html"));
    return;
  }
  if (path.startsWith("/assets/") || path.startsWith("/icons/") || path === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (RECORDED.some((re) => re.test(path)) && !path.endsWith("/download") && !/\.(mcap|parquet|zip)$/.test(path)) {
    event.respondWith(networkFirst(request, DATA));
  }
});
