/** Releases a {@link Gate} slot; calling it more than once is harmless. */
export type GateRelease = () => void;

/** A FIFO async mutex: one holder at a time, waiters served in arrival order. */
export class Gate {
  #held = false;
  readonly #waiters: Array<(release: GateRelease) => void> = [];

  /** Resolves with a release function once the caller holds the gate. */
  acquire(): Promise<GateRelease> {
    return new Promise((resolve) => {
      if (this.#held) {
        this.#waiters.push(resolve);
        return;
      }
      this.#held = true;
      resolve(this.#releaser());
    });
  }

  #releaser(): GateRelease {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiters.shift();
      if (next) next(this.#releaser());
      else this.#held = false;
    };
  }
}
