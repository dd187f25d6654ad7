/**
 * Sleeps that can be cut short. Every retry wait in the widget (session, event stream,
 * outgoing queue) sleeps on one Alarm, so that coming back online or to the tab retries at once.
 */
export class Alarm {
  private readonly sleepers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
