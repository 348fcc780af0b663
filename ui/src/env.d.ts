// Lets TypeScript import single-file components, and Vite's own imports (`?raw` in a test).
/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
