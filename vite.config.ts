import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import tailwindcss from '@tailwindcss/vite';
// A plain-JS build helper: writes .br/.gz beside each asset for the server to send.
import { precompress } from './scripts/vite-precompress.mjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * The files the voice activity detector fetches at run time (src/web/voice/vad.ts): its
 * AudioWorklet, the Silero v5 model, and onnxruntime-web's WebAssembly runtime with its loader.
 * They are copied into dist/web/assets under one content-hashed prefix, so ccpty serves them
 * itself (cached for good, like every asset) and an upgrade changes their names.
 */
const VAD_FILES = [
  'node_modules/@ricky0123/vad-web/dist/vad.worklet.bundle.min.js',
  'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx',
  'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
  'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs',
];

function vadAssets(): Plugin {
  const files = VAD_FILES.map((f) => path.join(ROOT, f));
  const hash = createHash('sha256');
  for (const f of files) hash.update(fs.readFileSync(f));
  const prefix = `vad-${hash.digest('hex').slice(0, 10)}-`;
  return {
    name: 'ccpty-vad-assets',
    config: () => ({ define: { __VAD_ASSET_PREFIX__: JSON.stringify(`/assets/${prefix}`) } }),
    generateBundle() {
      for (const f of files) this.emitFile({ type: 'asset', fileName: `assets/${prefix}${path.basename(f)}`, source: fs.readFileSync(f) });
    },
  };
}

// The web UI: built into dist/web and served by the server itself (no CDN, works offline).
export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [tailwindcss(), vadAssets(), precompress()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No source maps: 1.2 MB nobody's browser needs (the server would not serve them either).
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Fonts stay files: the pages' CSP allows fonts from 'self' only, not data: URLs.
    assetsInlineLimit: (file: string) => (file.endsWith('.woff2') ? false : undefined),
  },
});
