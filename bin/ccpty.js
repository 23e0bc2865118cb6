#!/usr/bin/env node
// The published entry point: the compiled server (npm run build makes dist/).
import { main } from '../dist/src/server/main.js';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`ccpty: ${err?.stack ?? err}\n`);
  process.exit(2);
});
