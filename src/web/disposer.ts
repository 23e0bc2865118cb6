/**
 * What a page or component holds that outlives its DOM (timers, listeners on window/document,
 * observers, sockets, terminals), released in one `dispose()` when the page is left.
 */
export interface Disposable {
  dispose(): void;
}

export class Disposer implements Disposable {
  private readonly cleanups: Array<() => void> = [];
  private readonly timeouts = new Set<number>();
  private done = false;

  get disposed(): boolean {
    return this.done;
  }

  /** Disposes `item` with this (at once if already disposed); returns `item`. */
  add<T extends Disposable>(item: T): T {
    this.defer(() => item.dispose());
    return item;
  }

  /** Runs `cleanup` on dispose (at once if already disposed). */
  defer(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  /** window.setTimeout, cleared on dispose; nothing is scheduled once disposed. */
  timeout(fn: () => void, ms: number): void {
    if (this.done) return;
    const t = window.setTimeout(() => {
      this.timeouts.delete(t);
      fn();
    }, ms);
    this.timeouts.add(t);
  }

  /** window.setInterval, cleared on dispose. */
  interval(fn: () => void, ms: number): void {
    if (this.done) return;
    const t = window.setInterval(fn, ms);
    this.defer(() => window.clearInterval(t));
  }

  /** addEventListener on window, document, a MediaQueryList...; removed on dispose. */
  listen<K extends keyof WindowEventMap>(target: Window, type: K, fn: (e: WindowEventMap[K]) => void): void;
  listen<K extends keyof DocumentEventMap>(target: Document, type: K, fn: (e: DocumentEventMap[K]) => void): void;
  listen(target: EventTarget, type: string, fn: (e: Event) => void): void;
  listen(target: EventTarget, type: string, fn: (e: Event) => void): void {
    if (this.done) return;
    target.addEventListener(type, fn);
    this.defer(() => target.removeEventListener(type, fn));
  }

  /** Releases everything, newest first; safe to call more than once. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timeouts) window.clearTimeout(t);
    this.timeouts.clear();
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch (err) {
        console.error('ccpty: dispose failed', err);
      }
    }
  }
}
