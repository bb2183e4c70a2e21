import { inflateSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { crc32, encodePng, iconPixels } from "./icon";

describe("icons", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("encodes a valid PNG whose pixels round-trip", () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9]);
    const png = encodePng(2, 2, rgba);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBe(2);
    expect(view.getUint32(20)).toBe(2);
    const idatLen = view.getUint32(33);
    expect(new TextDecoder().decode(png.subarray(37, 41))).toBe("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect([...raw]).toEqual([0, ...rgba.subarray(0, 8), 0, ...rgba.subarray(8)]);
  });

  it("draws transparent corners, an opaque centre and full-bleed maskable icons", () => {
    const px = iconPixels(64);
    expect(px[3]).toBe(0); // corner
    expect(px[(32 * 64 + 32) * 4 + 3]).toBe(255);
    expect(iconPixels(64, true)[3]).toBe(255);
  });
});
