// Public face of the store: a dump's graph, types and dominators persisted in a cache folder, so that reopening
// a dump is near-instant. openHeap is what commands use.
export { openHeap, openGraph, type OpenOptions, type OpenedHeap, type OpenedGraph, type OpenPhase } from './open.js';
export { defaultCacheDir, indexPaths, sourceIdentity } from './cache.js';
export { saveGraph, loadGraph, saveAnalysis, loadAnalysis, type SourceIdentity, type StoredAnalysis } from './graph-store.js';
export { IndexFileError, FORMAT_VERSION, hashBytes, readIndexFile, writeIndexFile } from './index-file.js';
