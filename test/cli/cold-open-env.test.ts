// The environment of a command's cold open process and the viewer's derived-index builder (lib/session/array-process.ts): glibc's mmap threshold
// always, huge pages from HUGE_PAGES_FROM_BYTES of dump on, and a user's own settings kept as they are.
import { expect } from 'chai';
import { coldOpenEnvironment, HUGE_PAGES_FROM_BYTES, MMAP_THRESHOLD } from '../../lib/session/array-process.js';

describe('cli/cold-open: the cold open process\'s environment', () => {
  it('sets the mmap threshold (1 MiB), and asks for huge pages only on a dump of 256 MiB or more', () => {
    expect(MMAP_THRESHOLD).to.equal(2 ** 20);
    expect(HUGE_PAGES_FROM_BYTES).to.equal(2 ** 28);
    const small = coldOpenEnvironment({ PATH: '/bin' }, 2 ** 28 - 1);
    expect(small).to.deep.equal({ PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '1048576' });
    const big = coldOpenEnvironment({ PATH: '/bin' }, 793e6);
    expect(big).to.deep.equal({ PATH: '/bin', MALLOC_MMAP_THRESHOLD_: '1048576', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  });

  it('keeps a user\'s own settings: their threshold, their huge-page choice, their other tunables', () => {
    expect(coldOpenEnvironment({ MALLOC_MMAP_THRESHOLD_: '1000' }, 0).MALLOC_MMAP_THRESHOLD_).to.equal('1000');
    expect(coldOpenEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 4e9).GLIBC_TUNABLES).to.equal('glibc.malloc.hugetlb=0');
    expect(coldOpenEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 4e9).GLIBC_TUNABLES).to.equal('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(coldOpenEnvironment({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 0).GLIBC_TUNABLES).to.equal('glibc.malloc.arena_max=2');
  });
});
