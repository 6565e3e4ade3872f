import { write, writeSync } from 'node:fs';

/** Writes to a non-blocking fd in order: at once when nothing is queued, else after what is. */
export interface FdWriter {
  write(data: Buffer): void;
  /** Bytes accepted but not yet taken by the kernel. */
  readonly queuedBytes: number;
  /** Drops whatever is still queued. Idempotent. */
  dispose(): void;
}

const isAgain = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'EAGAIN';

/**
 * Keystrokes should reach the pty without a trip through the libuv thread pool (which
 * node-pty's own writer takes for every write): the first attempt is a synchronous
 * write on the non-blocking fd, and only what the kernel does not take (EAGAIN or a
 * partial write, e.g. a big paste into a busy program) is queued and written
 * asynchronously, so the event loop never blocks. Other errors (the pty closed) drop
 * the queue: the process's exit is reported separately. `isOpen` must turn false as
 * soon as the fd's owner closes it.
 */
export function createFdWriter(fd: number, isOpen: () => boolean): FdWriter {
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let busy = false;
  let disposed = false;

  const pump = () => {
    if (busy || disposed || queue.length === 0) return;
    if (!isOpen()) {
      queue.length = 0;
      queuedBytes = 0;
      return;
    }
    busy = true;
    const head = queue[0]!;
    write(fd, head, 0, head.length, null, (err, written) => {
      busy = false;
      if (disposed) return;
      if (err) {
        if (isAgain(err)) {
          setTimeout(pump, 1);
          return;
        }
        queue.length = 0;
        queuedBytes = 0;
        return;
      }
      queuedBytes -= written;
      if (written < head.length) queue[0] = head.subarray(written);
      else queue.shift();
      pump();
    });
  };

  return {
    write(data) {
      // The fd number could be reused once its owner has closed it: never write after that.
      if (disposed || data.length === 0 || !isOpen()) return;
      let rest = data;
      if (queue.length === 0) {
        try {
          const written = writeSync(fd, data);
          if (written === data.length) return;
          rest = data.subarray(written);
        } catch (err) {
          if (!isAgain(err)) return; // the pty is gone; its exit is on its way
        }
      }
      queue.push(rest);
      queuedBytes += rest.length;
      pump();
    },
    get queuedBytes() {
      return queuedBytes;
    },
    dispose() {
      disposed = true;
      queue.length = 0;
      queuedBytes = 0;
    },
  };
}
