// Test helper: the DOT string quoting and graph header of lib/export, for tests that build DOT by hand.
export { dotString } from '../../lib/export/dot-syntax.js';
import { graphHeader } from '../../lib/export/dot-syntax.js';

export function graphHeaderForTest(): string {
  return graphHeader('strings', 'hostile strings', 'LR');
}
