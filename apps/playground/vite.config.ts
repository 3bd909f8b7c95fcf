import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Connect, Plugin } from 'vite';
import { defineConfig, defaultClientConditions } from 'vite';

// Cross-origin isolation (COOP + COEP) lets the wasm backend share its memory with Web Workers, so
// training runs on several threads; without these headers the page still works, on one thread.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Vite's dev and preview servers send `.gz` files with `Content-Encoding: gzip`, so the browser
// unpacks them and the MNIST loader's size and SHA-256 checks (made on the gzipped bytes) fail.
// Serve the subset's files as they are, as a plain static host does.
const rawGzip = (dir: string): Connect.NextHandleFunction => (req, res, next) => {
  const m = /^\/(?:[^?]*\/)?mnist-subset\/([\w-]+\.gz)(?:\?.*)?$/.exec(req.url ?? '');
  if (m === null) return next();
  readFile(`${dir}${m[1]}`).then(
    (body) => {
      res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length, ...isolation });
      res.end(body);
    },
    () => next(),
  );
};
const subsetAsIs = (): Plugin => ({
  name: 'playground:mnist-gz-as-is',
  configureServer(server) {
    server.middlewares.use(rawGzip(fileURLToPath(new URL('./public/mnist-subset/', import.meta.url))));
  },
  configurePreviewServer(server) {
    server.middlewares.use(rawGzip(fileURLToPath(new URL('./dist/mnist-subset/', import.meta.url))));
  },
});

export default defineConfig({
  plugins: [subsetAsIs()],
  // Relative asset URLs: the built site works from any folder of any static host.
  base: './',
  // The workspace packages' TypeScript sources (no build of the packages needed).
  resolve: { conditions: ['@descent/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  // Keep backend-wasm's `new URL('../build/….wasm', import.meta.url)` pointing into the package in dev.
  optimizeDeps: { exclude: ['@descent/backend-wasm'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
