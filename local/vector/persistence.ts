import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StoreSnapshot } from "./store";

const FILE = "vector-index.json";

/** Reads the snapshot in `dataDir`, or null when there is none yet. */
export async function loadSnapshot(dataDir: string): Promise<StoreSnapshot | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const snap = JSON.parse(text) as StoreSnapshot;
  if (snap.format !== "edgeway-vector/1") throw new Error(`${join(dataDir, FILE)}: unknown format ${String(snap.format)}`);
  return snap;
}

/**
 * Writes snapshots to `dataDir/vector-index.json` atomically (temp file + rename), debounced:
 * `schedule()` coalesces changes within `delayMs`, `flush()` writes now if anything is pending.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly take: () => StoreSnapshot,
    private readonly delayMs = 100,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((err) => console.error("[vectorRest] persisting failed:", err));
    }, this.delayMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const next = this.writing.then(() => this.writeIfDirty());
    this.writing = next.catch(() => {});
    return next;
  }

  private async writeIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const json = JSON.stringify(this.take());
      await mkdir(this.dataDir, { recursive: true });
      const target = join(this.dataDir, FILE);
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, json);
      await rename(tmp, target);
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }
}
