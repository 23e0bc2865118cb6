import { defineConfig } from 'vite';
import tailwindcss from '@tailwindcss/vite';

// The web UI: built into dist/web and served by the server itself (no CDN, works offline).
export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [tailwindcss()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
