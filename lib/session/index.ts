// Public face of the session stage: HeapSession, the one way to open a heap dump, and the answers it gives.
export { HeapSession, type Dominator, type TreeNode, type Page, type SessionOpenOptions, type InstanceSort, type Referrer } from './heap-session.js';
export { loadSessionState, type OpenOptions, type OpenPhase, type SessionState } from './load-state.js';
export { WorkerLoadError } from './worker-client.js';
export type { DerivedStructure } from './derived.js';
export { SIBLING_SCAN, dominatedChildren, foldByType, type Child, type SiblingGroup } from './sibling-groups.js';
