import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The Content-Security-Policy of the built app: only its own scripts, workers and data;
 * WebAssembly may compile (tfjs's backend, the project's SIMD kernels), nothing may be eval'd,
 * nothing leaves the origin. In the page as a meta tag (static hosts need no configuration for
 * it) and, from `vite preview`, as a header, which is what reaches the worker (README: what a
 * static host must send).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Cross-origin isolation (what WebAssembly threads need) and no MIME sniffing, dev and preview. */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
};

/** The policy as a meta tag, in builds only: the dev server's hot reload runs inline scripts. */
function cspMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [
    react(),
    cspMeta(),
    // Offline use: Workbox (generated, not hand-written) precaches the app and the data after the
    // first visit, so the page opens and trains with no network. 'prompt': a new build waits
    // until the page (UpdateNotice.tsx) says it is ready and the user reloads into it.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg'],
      manifest: {
        name: 'MNIST in your browser',
        short_name: 'MNIST studio',
        description: 'Train a neural network on MNIST in your browser, live; nothing leaves the page.',
        start_url: '.',
        display: 'standalone',
        background_color: '#0b1020',
        theme_color: '#0b1020',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // The data sprites and labels too: ~13 MB, the largest file about 5 MB.
        globPatterns: ['**/*.{js,css,html,svg,wasm,png,json,u8}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // The test and benchmark hooks of src/dev/ are in every build but the production one:
  // `vite build` leaves them out (npm test checks the bundle); `vite build --mode test` (the
  // build e2e tests and the benchmark drive) and `vite` (dev) load them.
  define: { __DEV_HOOKS__: JSON.stringify(mode !== 'production') },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { headers: ISOLATION },
  preview: { headers: { ...ISOLATION, 'Content-Security-Policy': CSP } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.mjs'],
    testTimeout: 120_000,
  },
}));
