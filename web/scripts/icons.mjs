#!/usr/bin/env node
// Generates the PWA's PNG icons (a white house on teal) without image libraries:
// rasterises the same shape as public/app/icons/icon.svg and writes PNG with node:zlib.
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "app", "icons");
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
function png(size, maskable) {
  const teal = [15, 118, 110, 255], white = [255, 255, 255, 255], clear = [0, 0, 0, 0];
  const rows = [];
  const pad = maskable ? 0.1 : 0; // maskable: keep the house inside the safe zone
  for (let y = 0; y < size; y++) {
    const row = [0];
    for (let x = 0; x < size; x++) {
      const u = (x / size - pad) / (1 - 2 * pad) * 512, v = (y / size - pad) / (1 - 2 * pad) * 512;
      const r = 96, X = x / size * 512, Y = y / size * 512;
      const cx = Math.min(Math.max(X, r), 512 - r), cy = Math.min(Math.max(Y, r), 512 - r);
      const inside = maskable || (X - cx) ** 2 + (Y - cy) ** 2 <= r * r;
      let px = inside ? teal : clear;
      const roof = v >= 112 && v <= 232 && Math.abs(u - 256) <= ((v - 112) / 120) * 160;
      const body = u >= 96 && u <= 416 && v >= 232 && v <= 400;
      const door = u >= 216 && u <= 296 && v >= 288 && v <= 400;
      if (inside && (roof || body) && !door) px = white;
      row.push(...px);
    }
    rows.push(Buffer.from(row));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
writeFileSync(join(dir, "icon-192.png"), png(192, false));
writeFileSync(join(dir, "icon-512.png"), png(512, false));
writeFileSync(join(dir, "icon-512-maskable.png"), png(512, true));
console.log("icons written to", dir);
