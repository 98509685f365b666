import { setClock } from '../time/clock.ts'
import { TEST_NOW } from './test-clock.ts'

// Every test file runs with kho's clock at TEST_NOW, whatever day the suite runs on (and a
// service it starts, or a command it spawns, gets the same through KHO_NOW). A test that is about
// another day sets the clock itself.
process.env.KHO_NOW = TEST_NOW.toISOString()
setClock(TEST_NOW)
