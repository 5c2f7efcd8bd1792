import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig(({ mode }) => ({
  plugins: [react()],
  // The test and benchmark hooks of src/dev/ are in every build but the production one:
  // `vite build` leaves them out (npm test checks the bundle); `vite build --mode test` (the
  // build e2e tests and the benchmark drive) and `vite` (dev) load them.
  define: { __DEV_HOOKS__: JSON.stringify(mode !== 'production') },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.mjs'],
    testTimeout: 120_000,
  },
}));
