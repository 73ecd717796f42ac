// Public face of the DWARF stage: .debug_info DIEs, .debug_line tables, location expressions/lists.

export { DwarfData } from './data.js';
export { Die, InfoReader } from './info.js';
export type { AttrValue, Unit, SectionSource } from './info.js';
export { parseAbbrevTable } from './abbrev.js';
export type { Abbrev, AbbrevTable } from './abbrev.js';
export { LineIndex, parseLineTable, LINE_END_SEQUENCE, LINE_IS_STMT } from './line.js';
export type { LineInfo, LineTable } from './line.js';
export { decodeSimpleLocation, readLocationList } from './location.js';
export type { LocationListEntry, LocationPiece, SimpleLocation } from './location.js';
export { readRangeList } from './ranges.js';
export { Cursor } from './cursor.js';
export { DwarfError } from './errors.js';
export * from './constants.js';
