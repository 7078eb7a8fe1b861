// A cell command for bench/sweep.ts: records when it started and ended (ms since the epoch) and
// prints them as its JSON result, so the sweep's per-cell overhead can be measured around it.
const started = Date.now();
setTimeout(() => {
  const ended = Date.now();
  console.log(JSON.stringify({ started, ended, score: 1 }));
}, 1000);
