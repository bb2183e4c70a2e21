// A Vite plugin that makes the PWA's generated files at build time: the PNG icons and the
// service worker with the list of files to precache.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import type { Plugin } from "vite";

import { iconFiles } from "./icon";

export function pwa(): Plugin {
  return {
    name: "paddock-pwa",
    apply: "build",
    generateBundle(_options, bundle) {
      const icons = iconFiles();
      for (const [fileName, source] of Object.entries(icons)) {
        this.emitFile({ type: "asset", fileName, source });
      }
      const files = new Set<string>(["/", "/index.html", "/manifest.webmanifest", "/icons/icon.svg"]);
      for (const name of Object.keys(icons)) files.add(`/${name}`);
      for (const name of Object.keys(bundle)) {
        if (name.endsWith(".html") || name.startsWith("assets/")) files.add(`/${name}`);
      }
      const precache = [...files].sort();
      const version = createHash("sha256").update(precache.join("\n")).digest("hex").slice(0, 12);
      const template = readFileSync(new URL("./sw.js", import.meta.url), "utf8");
      const source =
        `const PRECACHE = ${JSON.stringify(precache)};\nconst VERSION = ${JSON.stringify(version)};\n` + template;
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}
