// Registers the service worker (public/sw.js) that caches the app shell for offline use.

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || import.meta.env.DEV) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((e: unknown) => {
      console.warn("service worker not registered:", e);
    });
  });
}
