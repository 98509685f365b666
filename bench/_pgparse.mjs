import { parse, loadModule, parseSync } from 'libpg-query'
await loadModule()
const r = parseSync(process.argv[2])
console.log(JSON.stringify(r))
