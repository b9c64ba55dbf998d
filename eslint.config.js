// ESLint for the site's browser scripts (run by `make lint`): every .js under overrides/ is a plain
// script loaded by the theme, no bundler, so each file is checked as a browser script on its own.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  {
    files: ["overrides/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: "error", // == between an index value and a string would hide a wrong type
      "no-implicit-globals": "error", // each script shares the page's global scope with the theme's
      "no-shadow": "error",
      "no-unused-vars": ["error", { args: "after-used" }],
    },
  },
  {
    // The search core also loads in Node (the parity tests require() it), exporting with module.exports.
    files: ["overrides/assets/search/search-core.js"],
    languageOptions: { globals: { module: "readonly" } },
  },
  {
    files: ["eslint.config.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
  },
];
