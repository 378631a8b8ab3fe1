import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The dev server proxies the API to a ferroflow server (default 127.0.0.1:5000), so
// `npm run dev` works against `ferroflow server`. Production assets are embedded in
// the ferroflow binary (server/src/web.rs) and served from the same origin.
const backend = process.env.FERROFLOW_URL ?? 'http://127.0.0.1:5000'

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(
      ['/api', '/ajax-api', '/get-artifact', '/model-versions'].map((p) => [p, backend]),
    ),
  },
  build: { chunkSizeWarningLimit: 1024 },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'jsdom',
  },
})
