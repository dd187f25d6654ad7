#!/usr/bin/env node
// `prisma generate` with the placeholder DATABASE_URL the offline CLI needs (DESIGN.md §3);
// generation never connects to it.
import { execFileSync } from 'node:child_process';

execFileSync('npx', ['prisma', 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgresql://offline/generate', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
