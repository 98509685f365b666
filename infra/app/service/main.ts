import { CatalogError } from '../../catalog/load-catalog.ts'
import { ConfigError, loadConfig } from '../../config.ts'
import { ProjectError } from '../../../transforms/runner/project.ts'
import { SemanticModelError } from '../../../semantic/cube/compile-model.ts'
import { startService } from './start-service.ts'

// `npm start`: one process that owns the warehouse and serves kho until SIGINT or SIGTERM.
try {
  const service = await startService(loadConfig())
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
  console.error(err instanceof CatalogError || err instanceof ConfigError || err instanceof ProjectError || err instanceof SemanticModelError ? err.message : err)
  process.exit(1)
}
