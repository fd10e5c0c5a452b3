// Schedule strings: a choice that cannot be applied is reported at the column of the item
// that wrote it, so `--schedule:1:COL: error:` points into what the user typed.
import * as assert from 'node:assert/strict';
import { scheduleItemColumn } from '../../src/engine';

describe('scheduleItemColumn', () => {
  it('maps an expanded choice back to the column of the item that wrote it', () => {
    const s = 'c0*3, i0,c1*2';
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(i => scheduleItemColumn(s, i)), [1, 1, 1, 7, 10, 10]);
  });
});
