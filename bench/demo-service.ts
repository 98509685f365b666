import fs from 'node:fs'
import { loadConfig } from '../infra/config.ts'
import { startService, type RunningService } from '../infra/app/service/start-service.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'

/**
 * The service with the demo province loaded (BENCH_SCALE, 1 when unset) in a home of its own, as a
 * benchmark measures it warm; `stop()` ends it and removes the home.
 */
export async function startDemoService(prefix: string, env: Record<string, string> = {}): Promise<RunningService & { done(): Promise<void> }> {
  const home = tempDir(prefix)
  const service = await startService(
    loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'on', KHO_DEMO_SCALE: process.env.BENCH_SCALE ?? '1', KHO_LOG_LEVEL: 'warn', KHO_INBOX_POLL_S: '0', ...env }),
  )
  await service.demoDone
  return Object.assign(service, {
    async done() {
      await service.stop()
      fs.rmSync(home, { recursive: true, force: true })
    },
  })
}
