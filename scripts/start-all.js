#!/usr/bin/env node
// `npm start`: runs every Millrace app that is built (the broker, and connect once it
// exists) as child processes with the embedded defaults, forwards SIGINT/SIGTERM to
// them, and exits when any of them exits (with its code), stopping the others.
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const apps = ['broker', 'connect']
  .map((name) => ({ name, entry: path.join(root, 'dist', 'apps', name, 'src', 'main.js') }))
  .filter((app) => fs.existsSync(app.entry));

if (apps.length === 0) {
  console.error('nothing to start: run `npm run build` first');
  process.exit(1);
}

// The web console (served by the broker) calls connect's REST API from the browser:
// connect allows the broker's origin unless told otherwise.
const httpPort = process.env.MILLRACE_HTTP_PORT ?? '8081';
const consoleOrigins = `http://127.0.0.1:${httpPort},http://localhost:${httpPort}`;
const envFor = (name) =>
  name === 'connect'
    ? {
        MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN: consoleOrigins,
        MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_METHODS: 'GET,POST,PUT,DELETE,HEAD',
        ...process.env,
      }
    : process.env;

const children = apps.map((app) => {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'register-paths.js'), app.entry], { stdio: 'inherit', env: envFor(app.name) });
  child.on('exit', (code, signal) => {
    console.error(`millrace ${app.name} exited (${signal ?? code})`);
    stopAll();
    process.exitCode = code ?? 1;
  });
  return child;
});

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
