#!/usr/bin/env bash
# The date-sensitive suites again with the system clock set to days that break calendars
# (libfaketime, Debian's `faketime`): New Year's Eve in Vietnam, the first working day of a year,
# and Tết. kho's clock is pinned for tests (infra/testing/test-clock.ts), so these runs prove that
# nothing in them still reads the system clock — the engine's today(), a `new Date()` left behind.
# Under libfaketime the embedded engine runs 4–7 times slower (every clock read takes a lock), so
# one worker, longer time limits, and each suite that runs the engine on one day only: the pure
# calendar code runs on all three days; one faked day is enough to catch an engine's today().
set -euo pipefail
cd "$(dirname "$0")/../.."
lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1 || true)
if [ -z "$lib" ]; then
  if [ "${CI:-}" = "true" ]; then echo "libfaketime is missing (apt-get install faketime)" >&2; exit 1; fi
  echo "on other days: skipped, libfaketime is not installed (apt-get install faketime)"
  exit 0
fi
fast=(infra/time infra/identifiers)
run() { # <system clock, UTC> <suites…>
  local at=$1; shift
  echo "── system clock at $at UTC: $*"
  LD_PRELOAD="$lib" FAKETIME="@$at" FAKETIME_DISABLE_SHM=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
    npx vitest run "$@" --maxWorkers=1 --testTimeout=600000 --hookTimeout=900000
}
run "2026-12-31 16:30:00" "${fast[@]}" transforms/models/dataset-obligations.test.ts # 23:30 on New Year's Eve in Vietnam
run "2027-01-04 01:00:00" "${fast[@]}" semantic/policy/access.test.ts # 08:00 on the first working day of 2027
run "2027-02-08 03:00:00" "${fast[@]}"                                # Tết Đinh Mùi (6/2/2027): a day off
