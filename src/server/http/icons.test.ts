import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { iconPng, MANIFEST } from './icons.js';

test('the icon PNGs are what they say: signature, size, RGBA, the dark background in a corner', () => {
  for (const size of [48, 180, 192, 512] as const) {
    const png = iconPng(size);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
    assert.equal(png.readUInt32BE(16), size);
    assert.equal(png.readUInt32BE(20), size);
    assert.equal(png[25], 6, 'RGBA');
    const idatAt = png.indexOf('IDAT');
    const raw = zlib.inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
    assert.equal(raw.length, size * (size * 4 + 1));
    assert.deepEqual([...raw.subarray(1, 5)], [0x1d, 0x23, 0x2a, 255], 'top-left pixel: the background');
  }
  assert.equal(iconPng(48), iconPng(48), 'drawn once');
});

test('the manifest makes the app installable: name, standalone, 192 and 512 icons', () => {
  const m = JSON.parse(MANIFEST) as { name: string; display: string; start_url: string; icons: Array<{ src: string; sizes: string }> };
  assert.equal(m.display, 'standalone');
  assert.equal(m.start_url, '/');
  assert.ok(m.icons.some((i) => i.sizes === '192x192') && m.icons.some((i) => i.sizes === '512x512'));
});
