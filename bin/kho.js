#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so there is no build step between a clone and `npx kho`.
import { register } from 'tsx/esm/api'

register()
await import('../infra/app/cli/main.ts')
