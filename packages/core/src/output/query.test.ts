import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from './query.js';

describe('parseSearchQuery', () => {
  it('quotes every word, so nothing typed is FTS5 syntax', () => {
    expect(parseSearchQuery('ECONNREFUSED retry')).toMatchObject({ index: '"ECONNREFUSED" "retry"', exact: '"ECONNREFUSED" "retry"' });
    expect(parseSearchQuery('NOT OR AND')).toMatchObject({ index: '"NOT" "OR" "AND"' });
    expect(parseSearchQuery('col:umn (x) ^y')).toMatchObject({ index: '"col" "umn" "x" "y"', exact: '"col umn" "x" "y"' });
  });

  it('keeps phrases as phrases in the exact query and as words for the index', () => {
    const q = parseSearchQuery('"connection refused" port');
    expect(q.index).toBe('"connection" "refused" "port"');
    expect(q.exact).toBe('"connection refused" "port"');
    expect(parseSearchQuery('foo-bar.baz').exact).toBe('"foo bar baz"');
  });

  it('takes a trailing * as a prefix', () => {
    expect(parseSearchQuery('conn*')).toMatchObject({ index: '"conn"*', exact: '"conn"*' });
    expect(parseSearchQuery('"unit test"*')).toMatchObject({ index: '"unit" "test"*', exact: '"unit test"*' });
  });

  it('tolerates a stray quote and refuses a query without words', () => {
    expect(parseSearchQuery('"unterminated phrase').exact).toBe('"unterminated phrase"');
    expect(() => parseSearchQuery('  -- ** "" ')).toThrow(/no words/);
    expect(() => parseSearchQuery('x'.repeat(501))).toThrow(/longer than 500/);
  });
});
