/**
 * The layer rules of docs/architecture.md ("Layers"), checked on every `npm test` and by
 * `npm run lint:layers` (node_modules/.bin/depcruise --config .dependency-cruiser.cjs src).
 *
 * Paths are as dependency-cruiser reports them: relative to the repo root for our files,
 * `node_modules/...` for packages, the bare name (`fs`, `node:fs`) for Node's core modules.
 * Type-only imports count too (tsPreCompilationDeps), and every import must resolve
 * (not-to-unresolvable), so a resolution mistake cannot quietly turn a rule off.
 */

/** The `ws` package, whether resolved to its code or to its types. */
const WS_PACKAGE = '^node_modules/(@types/)?ws/';
/** Node's network servers and sockets, with or without the `node:` prefix. */
const NODE_NET = '^(node:)?(http|https|http2|net|tls)$';
const NODE_HTTP = '^(node:)?(http|https|http2)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ---- src/shared: used by the server and the browser alike ----
    {
      name: 'shared-imports-only-shared',
      comment: 'src/shared imports nothing of ours outside src/shared (npm packages such as zod are fine).',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/shared/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'shared-no-node-core',
      comment: 'src/shared runs in the browser too: no Node core modules (node:fs, fs, ...).',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },

    // ---- src/web: the browser ----
    {
      name: 'web-imports-only-shared',
      comment: 'src/web imports only src/web, src/shared and npm packages; never src/server.',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { pathNot: ['^src/(web|shared)/', '^node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'web-no-node-core',
      comment: 'src/web runs in the browser: no Node core modules.',
      severity: 'error',
      from: { path: '^src/web/' },
      to: { dependencyTypes: ['core'] },
    },

    // ---- src/server ----
    {
      name: 'server-not-to-web',
      comment: 'The server never imports the browser UI (it serves the built dist/web).',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/web/' },
    },
    {
      name: 'pty-terminal-no-transport',
      comment: 'pty/ and terminal/ know nothing of WebSockets or HTTP (a viewer has a ViewerSink).',
      severity: 'error',
      from: { path: '^src/server/(pty|terminal)/' },
      to: { path: [WS_PACKAGE, NODE_NET, '^src/server/(http|ws)/'] },
    },
    {
      name: 'sessions-no-transport',
      comment: 'sessions/ is transport-free: no ws, node:http(s), http/, ws/ or auth/.',
      severity: 'error',
      from: { path: '^src/server/sessions/' },
      to: { path: [WS_PACKAGE, NODE_HTTP, '^src/server/(http|ws|auth)/'] },
    },
    {
      name: 'store-not-to-sessions',
      comment: 'store/ persists plain records; it does not know Session objects.',
      severity: 'error',
      from: { path: '^src/server/store/' },
      to: { path: '^src/server/sessions/' },
    },

    // ---- everywhere ----
    {
      name: 'no-circular',
      comment: 'No import cycles in src (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves; otherwise the rules above could not see where it goes.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'npm packages used by src are declared in package.json.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    exclude: { path: '^dist/' },
    // Count `import type` too: a type from the wrong layer is still a dependency on it.
    tsPreCompilationDeps: true,
    // For its compiler options only (no paths): dependency-cruiser resolves NodeNext's
    // './x.js' to './x.ts' itself, as tsc does; the web's extensionless imports resolve as usual.
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
