// ESLint for the UI (CI runs `npx eslint .`): the recommended rules of ESLint, typescript-eslint
// and eslint-plugin-vue for Vue 3 single-file components in TypeScript.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import globals from 'globals'

export default tseslint.config(
  // generated from the Rust types, and the build output
  { ignores: ['dist/**', 'node_modules/**', 'src/bindings.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.{ts,vue}'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module', extraFileExtensions: ['.vue'] },
      globals: { ...globals.browser },
    },
    rules: {
      // templates are laid out by hand for dense counter screens; formatting is not a lint
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/first-attribute-linebreak': 'off',
      // one-word view names (Cases, Review, Admin) are the desks' names
      'vue/multi-word-component-names': 'off',
    },
  },
)
