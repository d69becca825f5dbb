import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'lib/', 'node_modules/', 'test-artifacts/', '.colophon-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Scripts that run inside the paginated page.
    files: ['scripts/paginate/in-page/**/*.js'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', NodeFilter: 'readonly', getComputedStyle: 'readonly', console: 'readonly', MessageChannel: 'readonly', performance: 'readonly', DOMParser: 'readonly', XMLHttpRequest: 'readonly' },
    },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
