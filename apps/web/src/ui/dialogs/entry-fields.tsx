'use client';

/** A knowledge entry's fields as a person edits them: a new entry, or a proposal accepted with edits. */
export interface EntryDraft {
  title: string;
  body: string;
  /** As typed: words separated by commas or spaces. */
  tags: string;
}

/** The tags typed into the tags field. */
export const parseTags = (tags: string): string[] => tags.split(/[\s,]+/).filter(Boolean);

export function EntryFields(props: { draft: EntryDraft; onChange: (draft: EntryDraft) => void; autoFocus?: boolean }) {
  const { draft, onChange } = props;
  return (
    <>
      <label className="field">
        <span>Title</span>
        <input data-autofocus={props.autoFocus || undefined} value={draft.title} maxLength={200} onChange={(e) => onChange({ ...draft, title: e.target.value })} required />
      </label>
      <label className="field">
        <span>Body (markdown)</span>
        <textarea rows={5} value={draft.body} onChange={(e) => onChange({ ...draft, body: e.target.value })} />
      </label>
      <label className="field">
        <span>Tags</span>
        <input value={draft.tags} onChange={(e) => onChange({ ...draft, tags: e.target.value })} placeholder="ci, deploy" />
      </label>
    </>
  );
}
