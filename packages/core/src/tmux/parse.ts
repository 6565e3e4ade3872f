import { z } from 'zod';

/** Names rdv gives tmux sessions, and what it accepts as a target. */
export const TMUX_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export interface TmuxSessionInfo {
  name: string;
  createdAt: Date;
  attachedClients: number;
  lastActivityAt: Date;
  width: number;
  height: number;
  panePid: number;
  paneCommand: string;
  paneDead: boolean;
}

const FIELDS = [
  'session_name',
  'session_created',
  'session_attached',
  'session_activity',
  'window_width',
  'window_height',
  'pane_pid',
  'pane_dead',
  'pane_current_command',
] as const;
// A printable separator: without a UTF-8 locale tmux prints a tab in a format as "_".
const SEP = '|~|';
export const SESSION_FORMAT = FIELDS.map((f) => `#{${f}}`).join(SEP);

const RowSchema = z.tuple([
  z.string().regex(TMUX_NAME_PATTERN),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.enum(['0', '1']),
  z.string(),
]);

/** Parses `list-sessions -F FORMAT` output (fields joined by `|~|`, the command last); rows that do not fit (foreign names) are skipped. */
export function parseSessionList(stdout: string): TmuxSessionInfo[] {
  const out: TmuxSessionInfo[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const parts = line.split(SEP);
    // The command comes last, so a separator inside it stays part of it.
    const cells = [...parts.slice(0, FIELDS.length - 1), parts.slice(FIELDS.length - 1).join(SEP)];
    const parsed = RowSchema.safeParse(cells);
    if (!parsed.success) continue;
    const [name, created, attached, activity, width, height, pid, dead, command] = parsed.data;
    out.push({
      name,
      createdAt: new Date(created * 1000),
      attachedClients: attached,
      lastActivityAt: new Date(activity * 1000),
      width,
      height,
      panePid: pid,
      paneCommand: command,
      paneDead: dead === '1',
    });
  }
  return out;
}

export interface TmuxPaneInfo {
  id: string;
  pid: number;
  piping: boolean;
}

const PaneRowSchema = z.tuple([z.string().regex(/^%\d+$/), z.coerce.number().int().positive(), z.enum(['0', '1'])]);

export const PANE_FORMAT = ['#{pane_id}', '#{pane_pid}', '#{pane_pipe}'].join(SEP);

/** Parses `list-panes -F PANE_FORMAT` output. */
export function parsePaneList(stdout: string): TmuxPaneInfo[] {
  const panes: TmuxPaneInfo[] = [];
  for (const line of stdout.split('\n')) {
    const parsed = PaneRowSchema.safeParse(line.split(SEP));
    if (parsed.success) panes.push({ id: parsed.data[0], pid: parsed.data[1], piping: parsed.data[2] === '1' });
  }
  return panes;
}
