/** The kinds of attention that can notify, in the order people think of them, with their labels. */
export const NOTIFY_TYPES = [
  ['permission', 'Waiting for permission'],
  ['question', 'A question'],
  ['turn_finished', 'Turn finished'],
  ['stalled', 'Stalled'],
  ['errored', 'Errored'],
  ['exited', 'Exited'],
] as const;
export type NotifyTypeKey = (typeof NOTIFY_TYPES)[number][0];
