// A Vite plugin: after the build, writes `<file>.br` and `<file>.gz` beside every compressible
// asset, so the server sends them compressed without compressing per request
// (src/server/http/static.ts picks the best one the browser accepts). Brotli at its best
// quality for files the browser needs at first load; above 1 MiB (the VAD's WebAssembly runtime,
// fetched only when voice is used) a faster quality, which costs a few percent of size but keeps
// the build from taking a minute.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|wasm|txt|webmanifest)$/;
/** Smaller files gain nothing worth a second request header. */
const MIN_BYTES = 1024;
const BIG_BYTES = 1024 * 1024;
/** Brotli quality for big files: ~10× faster than 11 on the 14 MB wasm, a few % larger. */
const BIG_QUALITY = 6;

export function precompress() {
  let outDir = '';
  return {
    name: 'ccpty-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      const assets = path.join(outDir, 'assets');
      if (!fs.existsSync(assets)) return;
      for (const name of fs.readdirSync(assets)) {
        if (!COMPRESSIBLE.test(name)) continue;
        const file = path.join(assets, name);
        const data = fs.readFileSync(file);
        if (data.length < MIN_BYTES) continue;
        const quality = data.length > BIG_BYTES ? BIG_QUALITY : zlib.constants.BROTLI_MAX_QUALITY;
        const br = zlib.brotliCompressSync(data, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
        });
        const gz = zlib.gzipSync(data, { level: 9 });
        // Only when it pays: an already-compressed file stays as it is.
        if (br.length < data.length * 0.95) fs.writeFileSync(`${file}.br`, br);
        if (gz.length < data.length * 0.95) fs.writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}
