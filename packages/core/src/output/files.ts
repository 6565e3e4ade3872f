import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';

/**
 * A session's output on disk: `<sessions dir>/<id>/output.log` and its rotated
 * predecessors `output.log.1` and `output.log.2` (oldest), written by the pipe writer
 * (writer.ts). Positions are absolute byte offsets into everything the session ever
 * wrote: `output.log.base` holds how many bytes were dropped with rotated-out files, so
 * an offset stays valid across rotations for as long as its bytes are kept.
 */

export const LOG_FILE = 'output.log';
/** Oldest first, as they are read. */
export const LOG_PARTS = [`${LOG_FILE}.2`, `${LOG_FILE}.1`, LOG_FILE] as const;
export const BASE_FILE = `${LOG_FILE}.base`;
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** The folder of one session's output. */
export function outputDir(sessionsDir: string, sessionId: string): string {
  if (!SESSION_ID_PATTERN.test(sessionId)) throw new AppError('invalid_input', `invalid session id: ${JSON.stringify(sessionId)}`);
  return join(sessionsDir, sessionId);
}

/** Where a trashed session's output waits: inside its trash entry, so emptying the trash deletes it. */
export const trashedOutputDir = (trashEntryDir: string): string => join(trashEntryDir, 'output');

/**
 * Where each session's output lives: its folder under `sessionsDir`, or, while the
 * session is in the trash, inside its trash entry (`<home>/trash/<entry id>/output`).
 */
export function createOutputLocator(deps: { db: Db; sessionsDir: string; home: string }): (sessionId: string) => string | null {
  return (sessionId) => {
    const dir = outputDir(deps.sessionsDir, sessionId);
    if (existsSync(dir)) return dir;
    const entry = deps.db
      .select({ id: schema.trash.id })
      .from(schema.trash)
      .where(and(eq(schema.trash.sessionId, sessionId), isNull(schema.trash.restoredAt)))
      .orderBy(desc(schema.trash.trashedAt))
      .limit(1)
      .get();
    if (!entry) return null;
    const inTrash = trashedOutputDir(join(deps.home, 'trash', entry.id));
    return existsSync(inTrash) ? inTrash : null;
  };
}

/** Moves the output folder (if any) into a trash entry's folder; returns whether there was one. */
export function moveOutputToTrash(sessionsDir: string, sessionId: string, trashEntryDir: string): boolean {
  return moveDir(outputDir(sessionsDir, sessionId), trashedOutputDir(trashEntryDir));
}

/** Brings a trashed session's output back; returns whether there was one. */
export function restoreOutputFromTrash(trashEntryDir: string, sessionsDir: string, sessionId: string): boolean {
  return moveDir(trashedOutputDir(trashEntryDir), outputDir(sessionsDir, sessionId));
}

/** Deletes a session's output for good. Idempotent. */
export function deleteOutput(sessionsDir: string, sessionId: string): void {
  rmSync(outputDir(sessionsDir, sessionId), { recursive: true, force: true });
}

function moveDir(from: string, to: string): boolean {
  if (!existsSync(from)) return false;
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  rmSync(to, { recursive: true, force: true });
  // A writer still running keeps its open file; at its next rotation it finds the folder
  // gone and drops output instead of recreating it.
  renameSync(from, to);
  return true;
}

export interface LogPart {
  name: string;
  fd: number;
  /** Absolute offset of the part's first byte. */
  start: number;
  size: number;
  /** When the part was last written. */
  mtimeMs: number;
}

/** An open, consistent view of a session's log files, for reading. The caller closes it. */
export interface LogSnapshot {
  parts: LogPart[];
  /** Absolute offset of the oldest byte still kept. */
  start: number;
  /** Absolute offset just past the newest byte (at the time of the snapshot). */
  end: number;
  /** Raw bytes in [from, to), clamped to what is kept. */
  read(from: number, to: number): Buffer;
  close(): void;
}

function readBase(dir: string): number {
  try {
    const n = Number(readFileSync(join(dir, BASE_FILE), 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0; // No rotation has dropped anything yet.
  }
}

const inode = (path: string): number | null => {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
};

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Opens the log files of `dir` as one consistent snapshot. The writer rotates without
 * a lock (output.log.1 → .2, base updated, output.log → .1), so the files are opened,
 * then checked again: if a rotation moved one meanwhile (or is half done: .2 without
 * .1), the snapshot is retried. Missing files make an empty log, never an error.
 */
export function openLogSnapshot(dir: string): LogSnapshot {
  for (let attempt = 0; ; attempt++) {
    const base = readBase(dir);
    const opened: Opened[] = [];
    for (const name of LOG_PARTS) {
      try {
        const fd = openSync(join(dir, name), 'r');
        const st = fstatSync(fd);
        opened.push({ name, fd, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // Not there (yet, or any more).
      }
    }
    const same =
      readBase(dir) === base &&
      LOG_PARTS.every((name) => inode(join(dir, name)) === (opened.find((o) => o.name === name)?.ino ?? null));
    const halfRotated = opened.some((o) => o.name === LOG_PARTS[0]) && !opened.some((o) => o.name === LOG_PARTS[1]);
    // A writer killed mid-rotation leaves a half-rotated state for good: accept it in the end.
    if ((same && !halfRotated) || attempt >= 20) return snapshot(opened, base);
    for (const o of opened) closeSync(o.fd);
    Atomics.wait(pause, 0, 0, 2);
  }
}

interface Opened {
  name: string;
  fd: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

function snapshot(opened: Opened[], base: number): LogSnapshot {
  let pos = base;
  const parts: LogPart[] = opened.map((o) => {
    const part = { name: o.name, fd: o.fd, start: pos, size: o.size, mtimeMs: o.mtimeMs };
    pos += o.size;
    return part;
  });
  let closed = false;
  return {
    parts,
    start: base,
    end: pos,
    read(from, to) {
      const lo = Math.max(from, base);
      const hi = Math.min(to, pos);
      if (hi <= lo) return Buffer.alloc(0);
      const out = Buffer.alloc(hi - lo);
      for (const p of parts) {
        const a = Math.max(lo, p.start);
        const b = Math.min(hi, p.start + p.size);
        if (b <= a) continue;
        let done = 0;
        while (done < b - a) {
          const n = readSync(p.fd, out, a - lo + done, b - a - done, a - p.start + done);
          if (n === 0) break;
          done += n;
        }
      }
      return out;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const p of parts) closeSync(p.fd);
    },
  };
}
