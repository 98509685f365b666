import { startService } from '../infra/app/service/start-service.ts'
import { loadConfig } from '../infra/config.ts'
import { tempDir } from '../infra/testing/temp-warehouse.ts'
const home = tempDir('kho-x-')
const s = await startService(loadConfig({ ...process.env, KHO_HOME: home, PORT: '0', HOST: '127.0.0.1', KHO_DEMO: 'off', KHO_LOG_LEVEL: 'error', KHO_INBOX_POLL_S: '0', KHO_ADMIN_USER: 'quantri', KHO_ADMIN_PASSWORD: 'mat-khau-rat-dai' }))
await s.demoDone
const login = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'quantri', password: 'mat-khau-rat-dai' }) })
const { token } = (await login.json()) as any
const r = await fetch(`${s.url}/api/ranking`, { headers: { authorization: `Bearer ${token}` } })
console.log(r.status, (await r.text()).slice(0, 2000))
await s.stop()
