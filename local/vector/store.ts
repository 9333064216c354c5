import type { Json } from "./validate";

/** One stored vector. */
export interface VectorRecord {
  id: string;
  vector: number[];
  metadata?: Json;
  data?: string;
}

/** The on-disk form of a whole store. */
export interface StoreSnapshot {
  format: "edgeway-vector/1";
  dimension: number;
  namespaces: Record<string, VectorRecord[]>;
}

/**
 * In-memory vectors per namespace (the default namespace is `""` and always exists). Records keep
 * their first-insertion order, which `range` pages over. `onChange` fires after every mutation.
 */
export class VectorStore {
  private readonly spaces = new Map<string, Map<string, VectorRecord>>([["", new Map()]]);

  constructor(
    readonly dimension: number,
    private readonly onChange: () => void = () => {},
  ) {}

  /** The records of a namespace, or undefined when it does not exist. */
  namespace(ns: string): ReadonlyMap<string, VectorRecord> | undefined {
    return this.spaces.get(ns);
  }

  /** Namespace names, the default first. */
  names(): string[] {
    return [...this.spaces.keys()];
  }

  get(ns: string, id: string): VectorRecord | undefined {
    return this.spaces.get(ns)?.get(id);
  }

  /** Inserts or replaces records, creating the namespace if needed. */
  put(ns: string, records: VectorRecord[]): void {
    let space = this.spaces.get(ns);
    if (!space) {
      space = new Map();
      this.spaces.set(ns, space);
    }
    for (const r of records) space.set(r.id, r);
    this.onChange();
  }

  /** Removes the given ids; answers how many existed. */
  remove(ns: string, ids: Iterable<string>): number {
    const space = this.spaces.get(ns);
    if (!space) return 0;
    let n = 0;
    for (const id of ids) if (space.delete(id)) n++;
    if (n > 0) this.onChange();
    return n;
  }

  /** Empties one namespace (it keeps existing). */
  clear(ns: string): void {
    this.spaces.get(ns)?.clear();
    this.onChange();
  }

  /** Drops every named namespace and empties the default one. */
  clearAll(): void {
    this.spaces.clear();
    this.spaces.set("", new Map());
    this.onChange();
  }

  /** Deletes a named namespace; false when it does not exist. */
  dropNamespace(ns: string): boolean {
    const existed = ns !== "" && this.spaces.delete(ns);
    if (existed) this.onChange();
    return existed;
  }

  snapshot(): StoreSnapshot {
    const namespaces: Record<string, VectorRecord[]> = {};
    for (const [ns, space] of this.spaces) namespaces[ns] = [...space.values()];
    return { format: "edgeway-vector/1", dimension: this.dimension, namespaces };
  }

  /** Replaces the contents with a snapshot (without firing `onChange`). */
  restore(snap: StoreSnapshot): void {
    this.spaces.clear();
    this.spaces.set("", new Map());
    for (const [ns, records] of Object.entries(snap.namespaces)) {
      this.spaces.set(ns, new Map(records.map((r) => [r.id, r])));
    }
  }
}
