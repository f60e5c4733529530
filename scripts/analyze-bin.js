#!/usr/bin/env node
/**
 * `npx passk-analyze FILE [options]`: the `bin` of package.json. Runs scripts/analyze.ts through
 * tsx's CommonJS API (a dependency), so it works after `npm ci` without a build step and without
 * npm's banner. Usage, output and exit status: scripts/analyze.ts.
 */
"use strict";
const path = require("path");
const tsx = require("tsx/cjs/api");

tsx.require(path.join(__dirname, "analyze.ts"), __filename).main(process.argv.slice(2));
