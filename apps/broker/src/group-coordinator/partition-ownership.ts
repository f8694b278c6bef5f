/**
 * Cluster mode: which partitions of its internal topic a coordinator serves (Kafka's
 * GroupMetadataManager ownedPartitions / loadingPartitions; the transaction coordinator
 * uses it for `__transaction_state` the same way). A partition
 * is owned from the moment this broker becomes its leader: 'loading' while its records
 * are read back, then 'active'; it is released when another broker takes over. Each
 * election opens a new term, so a load that finishes after its partition was released
 * (or elected again) is recognised as stale and discarded.
 */
export class PartitionOwnership {
  private readonly owned = new Map<number, { state: 'loading' | 'active'; term: number }>();
  private terms = 0;

  /** 'loading' | 'active' for an owned partition, undefined for one another broker leads. */
  stateOf(partition: number): 'loading' | 'active' | undefined {
    return this.owned.get(partition)?.state;
  }

  /** This broker became the partition's leader: a new load term begins. */
  beginLoad(partition: number): number {
    const term = ++this.terms;
    this.owned.set(partition, { state: 'loading', term });
    return term;
  }

  /** The load of `term` finished: true (now active) unless the partition was released or re-elected meanwhile. */
  finishLoad(partition: number, term: number): boolean {
    const entry = this.owned.get(partition);
    if (entry?.term !== term) return false;
    entry.state = 'active';
    return true;
  }

  /** Whether the load of `term` is still the current one. */
  isCurrent(partition: number, term: number): boolean {
    return this.owned.get(partition)?.term === term;
  }

  release(partition: number): void {
    this.owned.delete(partition);
  }

  /** The partitions owned now (loading or active). */
  partitions(): number[] {
    return [...this.owned.keys()];
  }
}
