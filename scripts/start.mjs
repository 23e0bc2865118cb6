// `npm start -- <flags>`: build if needed, then run the server in this process (so that
// SIGINT/SIGTERM reach it directly).
import { ensureBuild } from './ensure-build.mjs';

ensureBuild();
const { main } = await import('../dist/src/server/main.js');
await main(process.argv.slice(2));
