import { ConfigError, loadConfig } from '../../config.ts'

// `npm start`: one process that owns the warehouse and serves kho until SIGINT or SIGTERM.
// The heavy modules are imported only after the work that can begin without them is under way
// (warm-start.ts: the model compiles and the demo's files, on threads of their own).
try {
  const config = loadConfig()
  const { warmStart } = await import('./warm-start.ts')
  const warm = warmStart(config)
  const { startService } = await import('./start-service.ts')
  const service = await startService(config, warm)
  service.app.log.info({ url: `http://localhost:${new URL(service.url).port}` }, 'kho is serving')
  const shutdown = (signal: string) => {
    service.app.log.info({ signal }, 'shutting down')
    service.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
} catch (err) {
  // Known start-up problems are printed plainly, without a stack trace.
  const { CatalogError } = await import('../../catalog/load-catalog.ts')
  const { ProjectError } = await import('../../../transforms/project/project.ts')
  const { SemanticModelError } = await import('../../../semantic/cube/compile-model.ts')
  console.error(err instanceof CatalogError || err instanceof ConfigError || err instanceof ProjectError || err instanceof SemanticModelError ? err.message : err)
  process.exit(1)
}
