#!/usr/bin/env node
// The `sisflow` executable of the workspace build (the packed command starts from
// scripts/packed-start.mjs and dist/sisflow, the same way).
import { fileURLToPath } from 'node:url';
import { startBundleFor } from './compile-cache.js';
import { startCommand } from './start.js';

// The workspace's bundle of this command (scripts/cli-bundle.mjs), while it is current, starts
// several times faster from V8's code cache; it runs this same file, bundled (a checking verb,
// sisflow-check.cjs: the same without the other verbs' modules).
if (!startBundleFor(fileURLToPath(new URL('./sisflow.cjs', import.meta.url)), fileURLToPath(new URL('./sisflow-check.cjs', import.meta.url)))) startCommand();
