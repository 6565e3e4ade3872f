'use client';
import type { Session, WorktreeDiff, WorktreeDiffFile } from '@rdv/core/schemas';
import { useCallback, useEffect, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { Dialog } from './dialog';
import { renderDiffHtml } from './diff-html';

const STATUS_LABEL: Record<WorktreeDiffFile['status'], string> = {
  added: 'added',
  modified: 'modified',
  deleted: 'deleted',
  renamed: 'renamed',
  copied: 'copied',
  typechange: 'type changed',
  unmerged: 'unmerged',
};

const anchorOf = (i: number) => `diff-file-${i}`;

function Counts(props: { file: Pick<WorktreeDiffFile, 'binary' | 'additions' | 'deletions'> }) {
  const f = props.file;
  if (f.binary) return <span className="diff-counts muted">binary</span>;
  return (
    <span className="diff-counts">
      <span className="diff-add">+{f.additions ?? 0}</span> <span className="diff-del">−{f.deletions ?? 0}</span>
    </span>
  );
}

function FileList(props: { files: WorktreeDiffFile[] }) {
  return (
    <ul className="diff-files" aria-label="Changed files">
      {props.files.map((f, i) => (
        <li key={`${f.oldPath ?? ''}\0${f.path}`}>
          <a href={`#${anchorOf(i)}`} className="diff-file-link">
            <span className={`diff-status status-${f.status}`}>{f.untracked ? 'untracked' : STATUS_LABEL[f.status]}</span>
            <span className="diff-path" title={f.path}>
              {f.oldPath ? `${f.oldPath} → ${f.path}` : f.path}
            </span>
            <Counts file={f} />
          </a>
        </li>
      ))}
    </ul>
  );
}

function FileDiff(props: { file: WorktreeDiffFile; index: number; scheme: 'light' | 'dark' }) {
  const f = props.file;
  return (
    <section className="diff-file" id={anchorOf(props.index)} aria-label={f.path}>
      {f.truncated ? (
        <div className="diff-too-large" role="note">
          <strong>{f.path}</strong> <Counts file={f} />
          <p>
            {f.reason ?? 'too large to show'}. <code>rdv worktree diff --max-file-bytes</code> shows more.
          </p>
        </div>
      ) : (
        // diff2html escapes names and content; renderDiffHtml sanitizes its output once more.
        <div className="diff-body" dangerouslySetInnerHTML={{ __html: renderDiffHtml(f.patch, props.scheme) }} />
      )}
    </section>
  );
}

/** What a worktree session changed against its base: the files with their counts and a coloured unified diff. */
export function DiffDialog(props: { session: Session; onClose: () => void }) {
  const { api } = useUi();
  const id = props.session.id;
  const [diff, setDiff] = useState<WorktreeDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scheme = typeof document !== 'undefined' && document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';

  const load = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      setDiff((await api.GET('/api/worktrees/diff', { params: { query: { sessionId: id } } })) as WorktreeDiff);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }, [api, id]);
  useEffect(() => void load(), [load]);

  return (
    <Dialog title={`Changes in ${props.session.name}`} onClose={props.onClose} label="Changes" wide>
      <div className="diff-toolbar">
        <p className="dialog-text muted diff-summary" aria-live="polite">
          {diff
            ? `${diff.branch ?? 'HEAD'} against ${diff.base} · ${diff.files.length} file${diff.files.length === 1 ? '' : 's'} · `
            : busy
              ? 'Loading…'
              : ''}
          {diff && <Counts file={{ binary: false, additions: diff.additions, deletions: diff.deletions }} />}
        </p>
        <button type="button" className="button ghost small" onClick={() => void load()} disabled={busy}>
          {busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
      {diff && diff.files.length === 0 && <p className="diff-empty">No changes against {diff.base}.</p>}
      {diff && diff.truncated && <p className="diff-note muted">Some files are too large to show here; they are listed with their counts.</p>}
      {diff && diff.files.length > 0 && (
        <>
          <FileList files={diff.files} />
          <div className="diff-view">
            {diff.files.map((f, i) => (
              <FileDiff key={`${f.oldPath ?? ''}\0${f.path}`} file={f} index={i} scheme={scheme} />
            ))}
          </div>
        </>
      )}
      <div className="dialog-buttons">
        <button type="button" className="button primary" onClick={props.onClose} data-autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
