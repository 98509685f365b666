import { setClock } from '../time/clock.ts'
import { TEST_NOW } from './test-clock.ts'

// Every test file runs with kho's clock at TEST_NOW, whatever day the suite runs on. A service it
// starts, or a command it spawns, continues the same timeline through KHO_NOW and KHO_NOW_SINCE
// (a command started a minute later is a minute later too). A test about another day sets the
// clock itself.
process.env.KHO_NOW = TEST_NOW.toISOString()
process.env.KHO_NOW_SINCE = String(Date.now())
setClock(TEST_NOW)
