/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// API paths are relative to config.json's apiBase, '' (the same origin) when
// there is no config.json, as in dev: Vite then proxies those paths to a local
// cargomon (override with CARGOMON_URL).
const apiTarget = process.env.CARGOMON_URL ?? 'http://127.0.0.1:8080';
const apiPaths = [
  '/token',
  '/metrics',
  '/pedidos',
  '/eventos',
  '/registrar_pedido_entregado',
  '/healthz',
  '/readyz',
  '/openapi.json',
];

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: Object.fromEntries(apiPaths.map((p) => [p, { target: apiTarget, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Keep every asset a separate hashed file: an inlined data: module script
    // or a base64 font would need CSP exceptions.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    // Swagger UI's prebuilt bundle (the docs page only) is about 1.6 MB; the
    // dashboard's own chunks stay far below this.
    chunkSizeWarningLimit: 2000,
    // Two pages: the dashboard, and the API docs (Swagger UI) the server
    // answers at /docs.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        docs: fileURLToPath(new URL('./docs.html', import.meta.url)),
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup-tests.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // A whole dashboard rendered in jsdom takes about 1.3 s on the CI's 2
    // cores, and several times that while they are busy: the default 5 s
    // made the first test of a file fail on a loaded machine. Waits inside
    // tests still poll with their own deadlines (waitFor).
    testTimeout: 20_000,
  },
});
