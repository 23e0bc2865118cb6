/**
 * The app's icon (a prompt, `>_`, on the terminal's dark background) and its web app manifest,
 * made here rather than shipped as files: the browser asks for /favicon.ico on every site, and a
 * phone's "Add to Home Screen" wants PNGs of set sizes (iOS takes no SVG). Public (no credential):
 * browsers fetch the manifest and icons without cookies. Each image is drawn once and cached.
 */
import zlib from 'node:zlib';

const BG = [0x1d, 0x23, 0x2a] as const; // the dark terminal background (web/theme.ts)
const FG = [0x36, 0xd3, 0x99] as const; // a prompt green

export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="13" fill="#1d232a"/><path d="M16 20.5 30 32 16 43.5" fill="none" stroke="#36d399" stroke-width="5.5" stroke-linecap="round" stroke-linejoin="round"/><rect x="33" y="40" width="16" height="5.5" rx="1.5" fill="#36d399"/></svg>`;

export const MANIFEST = JSON.stringify({
  name: 'ccpty',
  short_name: 'ccpty',
  description: 'Claude Code sessions on your own machine',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#1d232a',
  theme_color: '#1d232a',
  icons: [
    { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    // The drawing sits well inside the maskable safe zone (the middle 80%).
    { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
  ],
});

/** The sizes served: favicon, Apple touch icon, the manifest's two. */
export type IconSize = 48 | 180 | 192 | 512;

const cache = new Map<IconSize, Buffer>();

export function iconPng(size: IconSize): Buffer {
  let png = cache.get(size);
  if (!png) {
    png = encodePng(size, drawIcon(size));
    cache.set(size, png);
  }
  return png;
}

/** Distance from p to the segment a–b (unit coordinates). */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Whether a point of the unit square is on the `>_` (the SVG's shapes, scaled to 1). */
function onGlyph(x: number, y: number): boolean {
  const half = 5.5 / 64 / 2;
  if (segmentDistance(x, y, 16 / 64, 20.5 / 64, 30 / 64, 32 / 64) <= half) return true;
  if (segmentDistance(x, y, 30 / 64, 32 / 64, 16 / 64, 43.5 / 64) <= half) return true;
  return x >= 33 / 64 && x <= 49 / 64 && y >= 40 / 64 && y <= 45.5 / 64;
}

/** RGBA pixels; each pixel is 4×4 samples (anti-aliased edges). Full-bleed: the OS rounds it. */
function drawIcon(size: number): Buffer {
  const SAMPLES = 4;
  const px = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (onGlyph((x + (sx + 0.5) / SAMPLES) / size, (y + (sy + 0.5) / SAMPLES) / size)) hits++;
        }
      }
      const a = hits / (SAMPLES * SAMPLES);
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round((BG[c] as number) * (1 - a) + (FG[c] as number) * a);
      px[o + 3] = 255;
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG of RGBA pixels (8 bits a channel, no filter). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
