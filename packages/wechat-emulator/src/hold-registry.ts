// Holds responses open for the `timeout` fault. Every hold ends by itself after `ms`, or at once when the
// emulator closes, so close() never waits 30 s for a request it is deliberately stalling.
export interface HoldRegistry {
  hold(ms: number): Promise<void>;
  releaseAll(): void;
}

export function createHoldRegistry(): HoldRegistry {
  const pending = new Set<() => void>();
  return {
    hold(ms) {
      return new Promise<void>((resolve) => {
        const release = (): void => {
          clearTimeout(timer);
          pending.delete(release);
          resolve();
        };
        const timer = setTimeout(release, ms);
        pending.add(release);
      });
    },
    releaseAll() {
      for (const release of [...pending]) release();
    },
  };
}
