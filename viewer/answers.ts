// The answers pages share with the CLI (lib/answers), each computed once per session where it needs the whole
// heap, and registered to be prepared while the dump is still "loading" so that no page request walks the heap.
import {
  DEFAULT_SUSPECT_THRESHOLD,
  infoAnswer, type InfoAnswer, rootsAnswer, type RootsAnswer, suspectsAnswer, type SuspectsAnswer, topAnswer,
  type TopAnswer, typesAnswer, type TypesAnswer,
} from '../lib/answers/index.js';
import type { Ctx } from './router.js';
import type { ViewerState } from './state.js';

/** The leak-suspect threshold of the CLI's default (`goheap suspects`). */
export const SUSPECT_THRESHOLD = DEFAULT_SUSPECT_THRESHOLD;

export function info(c: Ctx): InfoAnswer {
  return c.state.memo('info', () => infoAnswer(c.s));
}

/** Every type row (the CLI's `types --json --limit 0`). */
export function types(c: Ctx): TypesAnswer {
  return c.state.memo('types', () => typesAnswer(c.s, 0));
}

/** The type row named `name`: of `types`, else of `types --by-length` (computed on first use), or undefined. */
export function typeRow(c: Ctx, name: string): TypesAnswer['types'][number] | undefined {
  const byName = (key: string, a: () => TypesAnswer) => c.state.memo(`typeRows:${key}`, () => new Map(a().types.map((t) => [t.name, t])));
  return byName('default', () => types(c)).get(name) ?? byName('split', () => c.state.memo('types-split', () => typesAnswer(c.s, 0, true))).get(name);
}

/** Every root node (the CLI's `roots --json --limit 0`). */
export function roots(c: Ctx): RootsAnswer {
  return c.state.memo('roots', () => rootsAnswer(c.s, 0));
}

export function suspects(c: Ctx, threshold = SUSPECT_THRESHOLD): SuspectsAnswer {
  return c.state.memo(`suspects:${threshold}`, () => suspectsAnswer(c.s, threshold));
}

/** The 100 objects that retain most (the CLI's `top --json -n 100`). */
export function top(c: Ctx): TopAnswer {
  return c.state.memo('top', () => topAnswer(c.s, 100));
}

/**
 * Registers the whole-heap answers above to be computed before the pages are served (each read back from the index
 * after the first open: HeapSession.keptAnswer), and the large structures other pages share to be built after.
 */
export function prepareAnswers(state: ViewerState): void {
  const c = (s: Ctx['s']): Ctx => ({ s, state });
  state.preparers.push((s) => info(c(s)), (s) => types(c(s)), (s) => roots(c(s)), (s) => suspects(c(s)), (s) => top(c(s)));
  // Reverse edges, the dominator tree's top level, the per-type instance lists: built on first use, so here.
  state.laterPreparers.push((s) => {
    if (s.graph.objectCount === 0) return;
    s.referrers(0);
    s.dominated({ kind: 'roots' }, 0, 1);
    const first = s.typeRows()[0];
    if (first) s.instances(first.type, { limit: 1 });
    // No type is named "": this reads (or builds) the instance index of `types --by-length` too (the search's).
    s.hasInstances('');
  });
}
