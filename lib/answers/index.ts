// Public face of the answers: each question goheap answers, as a plain JSON-ready document built from a
// HeapSession. The CLI prints them (`--json`) or formats them as text; the viewer renders them as pages and serves
// them as its /api twins. One builder per question, so both give the same numbers.
export { hex, pathJson, firstRows, bytes, count, type PathHopJson } from './common.js';
export { infoAnswer, type InfoAnswer } from './info.js';
export { typesAnswer, type TypesAnswer } from './types.js';
export { topAnswer, type TopAnswer } from './top.js';
export { rootsAnswer, rootNamesReaching, type RootsAnswer, type RootRowJson } from './roots.js';
export { suspectsAnswer, type SuspectsAnswer } from './suspects.js';
export { DEFAULT_SUSPECT_THRESHOLD, keepColdOpenAnswers } from './kept.js';
export { pathAnswer, type PathAnswer } from './path.js';
export { dominatorText, objectAnswer, globalAnswer, type ObjectAnswer, unreachableReferrers } from './object.js';
export { checkSameProgram, diffAnswer, diffSide, programMismatch, programPrint, type DiffAnswer, type DiffSide, type ProgramPrint } from './diff.js';
export { goroutinesAnswer, frameLine, frameLines, type GoroutinesAnswer, type GoroutineGroupJson, type GoroutineJson, type FrameJson, type LocalJson } from './goroutines.js';
export { allocatedAsHint, instancesAnswer, similarTypes, type InstancesAnswer } from './instances.js';
export { allocsAnswer, allocationOf, type AllocsAnswer, type AllocSiteJson, type AllocFrameJson } from './allocs.js';
