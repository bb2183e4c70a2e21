// Every page of the app. Views load lazily so the live page does not wait for the analysis code.
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";

export const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/live" },
  { path: "/live", name: "live", component: () => import("./views/LiveView.vue"), meta: { title: "Live" } },
  {
    path: "/sessions/:sid?",
    name: "sessions",
    component: () => import("./views/SessionsView.vue"),
    props: true,
    meta: { title: "Sessions" },
  },
  {
    path: "/analysis/:sid?",
    name: "analysis",
    component: () => import("./views/AnalysisView.vue"),
    props: true,
    meta: { title: "Analysis" },
  },
  {
    path: "/recordings/:id?",
    name: "recordings",
    component: () => import("./views/RecordingsView.vue"),
    props: true,
    meta: { title: "Recordings" },
  },
  { path: "/risk", name: "risk", component: () => import("./views/RiskView.vue"), meta: { title: "Risk" } },
  {
    path: "/spectate/:token",
    name: "spectate",
    component: () => import("./views/SpectatorView.vue"),
    props: true,
    meta: { title: "Spectator", bare: true },
  },
  { path: "/settings", name: "settings", component: () => import("./views/SettingsView.vue"), meta: { title: "Settings" } },
  { path: "/:path(.*)*", name: "not-found", component: () => import("./views/NotFoundView.vue"), meta: { title: "Not found" } },
];

/** The pages in the navigation bar, in order. */
export const navItems = [
  { to: "/live", label: "Live" },
  { to: "/sessions", label: "Sessions" },
  { to: "/analysis", label: "Analysis" },
  { to: "/recordings", label: "Recordings" },
  { to: "/risk", label: "Risk" },
  { to: "/settings", label: "Settings" },
] as const;

export const router = createRouter({ history: createWebHistory(), routes });

router.afterEach((to) => {
  const title = typeof to.meta.title === "string" ? to.meta.title : "";
  document.title = title ? `${title} · paddock` : "paddock";
});
