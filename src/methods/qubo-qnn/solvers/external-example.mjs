#!/usr/bin/env node
// An example external sampler for solvers/external.ts: reads the model as JSON on stdin and writes
// { "samples": [...] } on stdout. It runs a greedy single-flip descent from seeded random starts —
// a placeholder for the client of a real Ising machine, which would send h and J to the device.
let text = '';
process.stdin.on('data', (d) => (text += d));
process.stdin.on('end', () => {
  const { n, h, J, reads, seed } = JSON.parse(text);
  const nbr = Array.from({ length: n }, () => []);
  for (const [i, j, v] of J) {
    nbr[i].push([j, v]);
    nbr[j].push([i, v]);
  }
  let st = seed >>> 0 || 1;
  const rand = () => {
    st ^= st << 13;
    st >>>= 0;
    st ^= st >>> 17;
    st ^= st << 5;
    st >>>= 0;
    return st / 4294967296;
  };
  const samples = [];
  for (let r = 0; r < reads; r++) {
    const s = Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1));
    for (let improved = true; improved; ) {
      improved = false;
      for (let i = 0; i < n; i++) {
        let f = h[i];
        for (const [j, v] of nbr[i]) f += v * s[j];
        if (s[i] * f > 0) {
          s[i] = -s[i];
          improved = true;
        }
      }
    }
    samples.push(s);
  }
  process.stdout.write(JSON.stringify({ samples }));
});
