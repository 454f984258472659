#!/usr/bin/env node
// Entry point of the `ecopermit` command: loads the TypeScript sources through tsx.
import { tsImport } from 'tsx/esm/api';

const { runCli } = await tsImport('../src/cli.ts', import.meta.url);
await runCli(process.argv);
