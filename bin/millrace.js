#!/usr/bin/env node
// The `millrace` command (package.json "bin"): runs the compiled CLI from dist/ (npm run build).
const path = require('path');
require(path.join(__dirname, '..', 'scripts', 'register-paths.js'));
const { runCli } = require(path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js'));
runCli(process.argv).then((code) => process.exit(code));
