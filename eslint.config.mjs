// ESLint (flat config): typescript-eslint's recommended rules, the project's import direction,
// and the 100-column limit for what Prettier cannot wrap (comments). Run by `npm test` (lint step).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Folders of lib/ bottom up; each may import only the folders listed with it (ARCHITECTURE.md). */
const LAYERS = {
  core: [],
  theory: ["core"],
  plots: ["core", "theory"],
  sim: ["core", "theory"],
  diagnostic: ["core", "theory"],
  studies: ["core", "theory", "sim", "diagnostic", "plots"],
  export: ["core", "plots"],
};
const ALL = Object.keys(LAYERS);

const layerRules = ALL.map((layer) => ({
  files: [`lib/${layer}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          ...ALL.filter((other) => other !== layer && !LAYERS[layer].includes(other)).map(
            (other) => ({
              group: [`../${other}`, `../${other}/*`, `../../${other}/*`],
              message: `lib/${layer} may import only ${LAYERS[layer].join(", ") || "nothing in lib/"} (ARCHITECTURE.md)`,
            }),
          ),
          {
            group: ["../index", "../../index", "../../lib", "../../lib/*"],
            message: "lib/ files import the file they need, never the root index (cycles)",
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "bench/out/**",
      "figures/**",
      "notebooks/**",
      "lib/core/kernels/blockUpdateWasm.ts",
      "lib/core/kernels/logisticWasm.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        console: "readonly",
        process: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        __filename: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        WebAssembly: "readonly",
        performance: "readonly",
        queueMicrotask: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        structuredClone: "readonly",
        AbortController: "readonly",
        globalThis: "readonly",
      },
    },
    rules: {
      "max-len": [
        "error",
        {
          code: 100,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreTrailingComments: true,
        },
      ],
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  ...layerRules,
);
