// Reachability from the roots: a breadth-first mark over the CSR edges with a preallocated typed queue.

/** Marks every object reachable from `rootTargets`; returns 1 for reachable objects, 0 for garbage. */
export function markReachable(objectCount: number, edgeStart: Uint32Array, edgeTarget: Uint32Array,
  rootTargets: Uint32Array): Uint8Array {
  const mark = new Uint8Array(objectCount);
  const queue = new Uint32Array(objectCount);
  let tail = 0;
  for (let r = 0; r < rootTargets.length; r++) {
    const t = rootTargets[r];
    if (mark[t] === 0) {
      mark[t] = 1;
      queue[tail++] = t;
    }
  }
  for (let head = 0; head < tail; head++) {
    const o = queue[head];
    const end = edgeStart[o + 1];
    for (let e = edgeStart[o]; e < end; e++) {
      const t = edgeTarget[e];
      if (mark[t] === 0) {
        mark[t] = 1;
        queue[tail++] = t;
      }
    }
  }
  return mark;
}
