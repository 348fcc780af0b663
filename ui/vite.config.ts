// Vite for the certdesk UI: a static build into ui/dist that the Tauri shell embeds.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  build: { outDir: 'dist', emptyOutDir: true, target: 'safari15', chunkSizeWarningLimit: 800 },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
