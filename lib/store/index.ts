// Public face of the store: a dump's graph and analyses persisted in a cache folder, so that reopening a dump is
// near-instant. lib/session decides when to use it; nothing else opens dumps.
export { defaultCacheDir, indexPaths, sourceChange, sourceIdentity } from './cache.js';
export {
  saveGraph, loadGraph, saveAnalysis, loadAnalysis, encodeGraph, decodeGraph, encodeAnalysis, decodeAnalysis,
  saveDerived, loadDerived, withAnalysisRoots,
  type SourceIdentity, type StoredAnalysis, type EncodedPart,
} from './graph-store.js';
export {
  IndexFileError, FORMAT_VERSION, hashBytes, readIndexFile, writeIndexFile, openIndexFile, sectionsOf, EAGER_INDEX_BYTES,
  type IndexSections, type StoredArray, type ArraySource, type Column, columnOf, BLOCK_BYTES,
} from './index-file.js';
