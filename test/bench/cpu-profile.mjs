// Preload for a CPU profile of the service under `pnpm bench:load` (Node 20 refuses --cpu-prof in NODE_OPTIONS):
// LOAD_ENV='{"NODE_OPTIONS":"--import=<abs path>/test/bench/cpu-profile.mjs","CPU_PROFILE_DIR":"prof"}'.
// The profile is written when the process exits (the inspector session answers synchronously on the main thread).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import process from 'node:process';

const dir = process.env.CPU_PROFILE_DIR ?? '.';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `service-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
