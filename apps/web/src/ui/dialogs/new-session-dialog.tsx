'use client';
import { AGENTS, AgentSchema, NameSchema, type Agent, type CreateSessionInput, type Folder, type Host, type Repository, type Session } from '@rdv/core/schemas';
import { useEffect, useId, useMemo, useState } from 'react';
import { useUi } from '../app-context';
import { Dialog, DialogButtons, useSubmit } from './dialog';
import { foldersIn } from '../state/model';

const AGENT_LABEL: Record<string, string> = { claude: 'Claude Code', codex: 'Codex', gemini: 'Gemini CLI', opencode: 'OpenCode', custom: 'Custom command' };

/** Folder options as an indented list, depth first. */
function folderOptions(folders: Folder[]): Array<{ id: string; label: string }> {
  const out: Array<{ id: string; label: string }> = [];
  const walk = (parentId: string | null, depth: number) => {
    for (const f of foldersIn(folders, parentId)) {
      out.push({ id: f.id, label: `${'\u2003'.repeat(depth)}${f.name}` });
      walk(f.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** A name not taken yet: "shell", "shell 2", … */
function suggestName(base: string, sessions: Session[]): string {
  const taken = new Set(sessions.map((s) => s.name.toLowerCase()));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

export function NewSessionDialog(props: {
  folders: Folder[];
  sessions: Session[];
  folderId: string | null;
  worktrees: boolean;
  onCreate: (input: CreateSessionInput, hostId?: string) => Promise<Session>;
  onClose: () => void;
}) {
  const [folderId, setFolderId] = useState<string | null>(props.folderId);
  const [kind, setKind] = useState<'shell' | 'agent'>('shell');
  const { api } = useUi();
  const [agent, setAgent] = useState<Agent>('claude');
  const [command, setCommand] = useState('');
  // What the person typed, else a suggestion derived on each render: a suggestion stored and
  // updated by an effect could land after the first typed key and undo it.
  const [typedName, setTypedName] = useState<string | null>(null);
  const [cwd, setCwd] = useState('');
  const [defaultCwd, setDefaultCwd] = useState<string | null>(null);
  const [useWorktree, setUseWorktree] = useState(false);
  const [repoPath, setRepoPath] = useState('');
  const [branch, setBranch] = useState('');
  const [base, setBase] = useState('');
  // Repositories rdv cloned: typing one's URL starts the worktree from its mirror.
  const [clones, setClones] = useState<Repository[]>([]);
  const repoListId = useId();
  const options = useMemo(() => folderOptions(props.folders), [props.folders]);
  // Selects get their label by id: a wrapping <label> would fold every option's text into the name.
  const agentId = useId();
  const folderSelectId = useId();
  const hostSelectId = useId();
  // Other machines running rdv (see `rdv host add`); the picker shows only when there are some.
  const [hosts, setHosts] = useState<Host[]>([]);
  const [hostId, setHostId] = useState<string>('');

  useEffect(() => {
    let live = true;
    api.GET('/api/hosts').then(
      (r) => live && setHosts(r.items),
      () => live && setHosts([]),
    );
    return () => {
      live = false;
    };
  }, [api]);

  useEffect(() => {
    let live = true;
    const load = folderId
      ? api.GET('/api/folders/{id}/context', { params: { path: { id: folderId } } }).then((c) => c.preferences)
      : api.GET('/api/preferences');
    load.then(
      (p) => {
        if (!live) return;
        setDefaultCwd(p.defaultCwd);
        if (p.defaultAgent) setAgent(p.defaultAgent);
      },
      () => live && setDefaultCwd(null),
    );
    return () => {
      live = false;
    };
  }, [api, folderId]);

  useEffect(() => {
    if (!useWorktree) return;
    let live = true;
    api.GET('/api/repositories').then(
      (r) => live && setClones(r.items.filter((x) => x.status === 'ready')),
      // Without the list the field still takes a path.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, useWorktree]);

  const suggestedName = useMemo(
    () => suggestName(kind === 'shell' ? 'shell' : agent === 'custom' ? 'agent' : agent, props.sessions),
    [kind, agent, props.sessions],
  );
  const name = typedName ?? suggestedName;

  const nameCheck = NameSchema.safeParse(name);
  const { busy, error, onSubmit } = useSubmit(async () => {
    if (!nameCheck.success) throw new Error(`Name ${nameCheck.error.issues[0]?.message ?? 'is not valid'}`);
    // Folders are this machine's: a session on another host starts at its top level.
    const input: CreateSessionInput = { name: nameCheck.data, kind, folderId: hostId ? null : folderId };
    if (kind === 'agent') input.agent = agent;
    if (kind === 'agent' && agent === 'custom') input.command = command.trim();
    if (props.worktrees && useWorktree) {
      // Cloned repositories are this machine's: on another host the path is that host's.
      const clone = hostId ? undefined : clones.find((c) => c.url === repoPath.trim());
      const source = clone ? { repositoryId: clone.id } : { repoPath: repoPath.trim() };
      input.worktree = { ...source, branch: branch.trim(), ...(base.trim() ? { base: base.trim() } : {}) };
    } else if (cwd.trim()) input.cwd = cwd.trim();
    await props.onCreate(input, hostId || undefined);
    props.onClose();
  });

  return (
    <Dialog title="New session" onClose={props.onClose} wide>
      <form onSubmit={onSubmit} className="new-session-form">
        <div className="segmented" role="radiogroup" aria-label="Kind">
          {(['shell', 'agent'] as const).map((k) => (
            <button type="button" key={k} role="radio" aria-checked={kind === k} className={kind === k ? 'on' : ''} onClick={() => setKind(k)}>
              {k === 'shell' ? 'Shell' : 'Agent'}
            </button>
          ))}
        </div>
        {kind === 'agent' && (
          <div className="field">
            <label htmlFor={agentId}>Agent</label>
            <select id={agentId} value={agent} onChange={(e) => setAgent(AgentSchema.parse(e.target.value))}>
              {AGENTS.map((a) => (
                <option key={a} value={a}>
                  {AGENT_LABEL[a] ?? a}
                </option>
              ))}
            </select>
          </div>
        )}
        {kind === 'agent' && agent === 'custom' && (
          <label className="field">
            <span>Command</span>
            <input value={command} onChange={(e) => setCommand(e.target.value)} placeholder="e.g. aider --model sonnet" required spellCheck={false} />
          </label>
        )}
        <label className="field">
          <span>Name</span>
          <input
            data-autofocus
            value={name}
            maxLength={64}
            onChange={(e) => {
              setTypedName(e.target.value);
            }}
            aria-invalid={!nameCheck.success}
          />
        </label>
        {hosts.length > 0 && (
          <div className="field">
            <label htmlFor={hostSelectId}>Machine</label>
            <select id={hostSelectId} value={hostId} onChange={(e) => setHostId(e.target.value)}>
              <option value="">This machine</option>
              {hosts.map((h) => (
                <option key={h.id} value={h.id} disabled={h.state !== 'connected'}>
                  {h.state === 'connected' ? h.name : `${h.name} (${h.state})`}
                </option>
              ))}
            </select>
          </div>
        )}
        {!hostId && <div className="field">
          <label htmlFor={folderSelectId}>Folder</label>
          <select id={folderSelectId} value={folderId ?? ''} onChange={(e) => setFolderId(e.target.value || null)}>
            <option value="">No folder</option>
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </div>}
        {!(props.worktrees && useWorktree) && <label className="field">
          <span>Working directory</span>
          <input value={cwd} onChange={(e) => setCwd(e.target.value)} placeholder={defaultCwd ?? 'your home directory'} spellCheck={false} autoCapitalize="off" />
          <small>{defaultCwd ? 'Empty uses the folder default shown.' : 'Empty starts in your home directory.'}</small>
        </label>}
        {props.worktrees && (
          <fieldset className="worktree">
            <label className="check">
              <input
                type="checkbox"
                checked={useWorktree}
                onChange={(e) => {
                  setUseWorktree(e.target.checked);
                  if (e.target.checked && !repoPath) setRepoPath(cwd.trim() || defaultCwd || '');
                }}
              />
              <span>Work in its own git worktree</span>
            </label>
            {useWorktree && (
              <div className="worktree-fields">
                <label className="field">
                  <span>Repository</span>
                  <input value={repoPath} onChange={(e) => setRepoPath(e.target.value)} placeholder="/home/me/src/project" list={repoListId} required spellCheck={false} autoCapitalize="off" />
                  {clones.length > 0 && <small>A path, or one of your cloned repositories.</small>}
                </label>
                <datalist id={repoListId}>
                  {clones.map((c) => (
                    <option key={c.id} value={c.url} />
                  ))}
                </datalist>
                <label className="field">
                  <span>Branch</span>
                  <input value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="feature/idea" required spellCheck={false} autoCapitalize="off" />
                </label>
                <label className="field">
                  <span>Based on</span>
                  <input value={base} onChange={(e) => setBase(e.target.value)} placeholder="the current branch" spellCheck={false} autoCapitalize="off" />
                </label>
              </div>
            )}
          </fieldset>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <DialogButtons busy={busy} submit="Start session" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
