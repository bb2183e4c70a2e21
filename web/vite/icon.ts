// paddock's icon, drawn in code so the build makes every PNG size the manifest asks for (no binary
// files in the repository): a dark rounded square, a blue racing line and a green car dot.
import { deflateSync } from "node:zlib";

type Rgb = readonly [number, number, number];

const BG: Rgb = [0x0e, 0x11, 0x16];
const LINE: Rgb = [0x4f, 0xa3, 0xff];
const CAR: Rgb = [0x3e, 0xcf, 0x8e];

/** Points of a cubic Bézier from p0 to p3 (in a 64×64 design grid). */
type P = readonly [number, number];

function cubic(p0: P, p1: P, p2: P, p3: P, n = 24): P[] {
  const out: P[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    const a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
    out.push([
      a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
      a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    ]);
  }
  return out;
}

// The same path as public/icons/icon.svg.
const PATH: P[] = [
  ...cubic([12, 46], [14, 24], [26, 14], [40, 16]),
  ...cubic([40, 16], [54, 18], [54, 30], [46, 40]),
  ...cubic([46, 40], [38, 50], [26, 44], [22, 52]),
];

function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const x = ax + t * dx - px, y = ay + t * dy - py;
  return x * x + y * y;
}

/** The colour at design point (x, y), or null outside the icon. */
function shade(x: number, y: number, maskable: boolean): Rgb | null {
  // maskable icons fill the whole square and keep the drawing inside the central 80 % safe zone
  if (maskable) {
    const s = 0.78;
    x = 32 + (x - 32) / s;
    y = 32 + (y - 32) / s;
  } else {
    const r = 12;
    const cx = Math.max(r, Math.min(64 - r, x)), cy = Math.max(r, Math.min(64 - r, y));
    if (x < 0 || y < 0 || x > 64 || y > 64 || (x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  }
  if ((x - 46) ** 2 + (y - 40) ** 2 <= 25) return CAR;
  for (let i = 1; i < PATH.length; i++) {
    const a = PATH[i - 1], b = PATH[i];
    if (a && b && segDist2(x, y, a[0], a[1], b[0], b[1]) <= 6.25) return LINE;
  }
  return BG;
}

/** RGBA pixels of the icon at `size`×`size`, 3×3 supersampled. */
export function iconPixels(size: number, maskable = false): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const ss = 3;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sj = 0; sj < ss; sj++) {
        for (let si = 0; si < ss; si++) {
          const c = shade(((i + (si + 0.5) / ss) * 64) / size, ((j + (sj + 0.5) / ss) * 64) / size, maskable);
          if (c) {
            r += c[0]; g += c[1]; b += c[2]; a += 1;
          }
        }
      }
      const o = (j * size + i) * 4;
      if (a > 0) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
      }
      px[o + 3] = Math.round((255 * a) / (ss * ss));
    }
  }
  return px;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An RGBA image as PNG bytes (8-bit, no interlace, filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const raw = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Every PNG icon the manifest names: file name → bytes. */
export function iconFiles(): Record<string, Uint8Array> {
  return {
    "icons/icon-192.png": encodePng(192, 192, iconPixels(192)),
    "icons/icon-512.png": encodePng(512, 512, iconPixels(512)),
    "icons/icon-maskable-512.png": encodePng(512, 512, iconPixels(512, true)),
  };
}
