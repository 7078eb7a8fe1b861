// ESLint flat config: typescript-eslint recommended rules over src/, test/, bench/ and scripts/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", ".venv/**", ".simclr/**", "data/**", "results/**", "build/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Library code reads no environment (issue 23): the entry points (the CLI, the notebooks' config
    // helper src/workbench/params.ts with its configureFromEnv, bin/, lib/, scripts/, bench/, the test
    // harness) read it and hand typed values in.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/workbench/params.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message:
            "library code reads no environment: take the value as a parameter or option, and read it in an entry point (src/cli/*, src/workbench/params.ts configureFromEnv)",
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][computed=true]",
          message: "library code reads no environment (process[...]): see src/workbench/params.ts",
        },
        {
          selector:
            "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
          message:
            "library code reads no environment ({ env } = process): see src/workbench/params.ts",
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "node:process",
              importNames: ["env"],
              message: "library code reads no environment",
            },
            { name: "process", importNames: ["env"], message: "library code reads no environment" },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.mjs", "**/*.cjs", "bin/**"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        __filename: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        fetch: "readonly",
        Buffer: "readonly",
        AbortSignal: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
