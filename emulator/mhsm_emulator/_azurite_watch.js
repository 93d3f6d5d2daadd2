// Preloaded into Azurite's Node process (NODE_OPTIONS=--require) by mhsm_emulator.azurite.
// The Python process that started Azurite holds the write end of this process's stdin pipe; the pipe reaches
// end-of-file when that process exits, however it exits (SIGKILL included). Azurite then stops as on SIGTERM,
// so it never outlives its parent (the portable twin of Linux's PR_SET_PDEATHSIG).
"use strict";
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  process.kill(process.pid, "SIGTERM");
  setTimeout(() => process.exit(1), 5000).unref();
}
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
process.stdin.resume();
// Watching must not keep Node alive: once Azurite's server closes (on SIGTERM/SIGINT), Node exits as it would.
if (typeof process.stdin.unref === "function") process.stdin.unref();
