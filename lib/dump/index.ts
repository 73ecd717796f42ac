// The dump stage: decoding Go heap dumps (runtime/debug.WriteHeapDump) record by record, streaming from the file.
export { decodeHeapDump, decodeObjectRecords, findObjectRecord, heapPointerRange, readHeader, HEADER_BYTES } from './decoder.js';
export type { DumpVisitor, DecodeResult, DecodeOptions, DecodeSplit, DumpFileIdentity } from './decoder.js';
export type { KeptSlots } from './heap-slots.js';
export { HeapDumpError, DumpFileError } from './errors.js';
export { FileWindow, DEFAULT_WINDOW_BYTES, describeFsError } from './file-reader.js';
export { ByteCursor } from './cursor.js';
export * from './records.js';
