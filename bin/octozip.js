#!/usr/bin/env node
// Runs the TypeScript CLI straight from source, so `npx octozip` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli.ts');
