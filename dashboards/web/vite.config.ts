import { defineConfig } from 'vite'

// The dashboards are built once (`npm run build`) and served by kho's own service; there is no dev
// server in production. Each page is its own chunk so the IOC overview loads only what it shows.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/cubejs-api': 'http://127.0.0.1:8080' } },
})
