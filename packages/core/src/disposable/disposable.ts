export interface Disposable {
  dispose(): void | Promise<void>;
}

export function toDisposable(fn: () => void | Promise<void>): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      return fn();
    },
  };
}

/**
 * Holds disposables and disposes them in reverse order of adding, each in its own
 * try/finally so one failure does not leak the rest. Idempotent.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      void item.dispose();
      return item;
    }
    this.items.push(item);
    return item;
  }

  /** Disposes one item now and forgets it (an item the store does not hold is disposed all the same). */
  delete(item: Disposable): void | Promise<void> {
    const at = this.items.indexOf(item);
    if (at >= 0) this.items.splice(at, 1);
    return item.dispose();
  }

  /** How many items are held (not yet disposed). */
  get size(): number {
    return this.items.length;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    while (this.items.length) {
      const item = this.items.pop()!;
      try {
        await item.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}
