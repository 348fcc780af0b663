// Vite for the certdesk UI: a static build into ui/dist that the Tauri shell embeds.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'safari15', chunkSizeWarningLimit: 800 },
  // the locale test reads the seal crate's rules (thresholds.json) for the quantities a finding can name
  server: { fs: { allow: ['.', '../src-tauri/crates/certdesk-seal/src'] } },
  // the counters are in China: the component tests read and show times in their time zone
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'], setupFiles: ['src/testing/setup.ts'], env: { TZ: 'Asia/Shanghai' } },
})
