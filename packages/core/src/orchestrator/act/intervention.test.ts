import { describe, expect, it } from 'vitest';
import { freshIntervention, MAX_NUDGES_PER_HOUR, nextIntervention } from './intervention.js';

describe('auto-intervention', () => {
  it('nudges, then Esc, then raises, then stops', () => {
    let s = freshIntervention();
    const actions: Array<string | null> = [];
    for (const at of [0, 1000, 10_000, 15_000, 20_000, 30_000, 60_000]) {
      const r = nextIntervention(s, at, 10_000);
      actions.push(r.action);
      s = r.state;
    }
    expect(actions).toEqual(['nudge', null, 'escape', null, 'raise', null, null]);
  });

  it('caps nudges per hour for an agent that keeps stalling', () => {
    let s = freshIntervention();
    const actions: Array<string | null> = [];
    for (let i = 0; i <= MAX_NUDGES_PER_HOUR; i++) {
      const r = nextIntervention({ ...s, step: 0 }, i * 60_000, 10_000);
      actions.push(r.action);
      s = r.state;
    }
    expect(actions).toEqual([...Array(MAX_NUDGES_PER_HOUR).fill('nudge'), 'raise']);
  });
});
