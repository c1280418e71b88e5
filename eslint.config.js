// Type-aware lint: the rules that catch real async and typing bugs in a queue-driven service.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'dist/', '.local/', 'fixtures/corpora/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
    },
  },
  {
    // SQL lives in src/db/ (repositories and read models); everything else calls typed functions.
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='execute']",
          message: 'SQL belongs in src/db/: add a repository or read-model function there.',
        },
        {
          // A WorkspaceScope's statements are SQL too (src/db/workspace-scope.ts).
          selector: 'CallExpression[callee.property.name=/^(rows|row)$/][arguments.length>=2]',
          message: 'SQL belongs in src/db/: add a scoped read-model function there.',
        },
        {
          selector:
            'CallExpression[callee.property.name=/^(findOne|findOneOrFail|nativeUpdate|nativeDelete|upsert|upsertMany|persistAndFlush|createQueryBuilder|getKnex)$/]',
          message: 'Data access belongs in src/db/: add a repository or read-model function there.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
