import { Controller, Get, NotFoundException, Param, UseFilters } from '@nestjs/common';
import { ReplicaManager } from '../partition/replica-manager';
import { TransactionCoordinator, TXN_STATE_NAMES, TxnState } from '../transaction-coordinator';
import { AdminErrorFilter } from './admin-error.filter';

interface TransactionView {
  transactionalId: string;
  state: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  /** When the open transaction started (ISO time), null when none is open. */
  startedAt: string | null;
  /** Milliseconds the open transaction has been running, null when none is open. */
  ageMs: number | null;
  partitions: { topic: string; partitions: number[] }[];
}

const OPEN = new Set([TxnState.Ongoing, TxnState.PrepareCommit, TxnState.PrepareAbort, TxnState.PrepareEpochFence]);

/** A partition holding an open transaction, seen from the partition's producer state. */
interface OpenPartitionView {
  topic: string;
  partition: number;
  producerId: number;
  /** First offset of the producer's open transaction in this partition. */
  firstOffset: number;
  lastStableOffset: number;
  highWatermark: number;
  /** The transactional id the coordinator has for this producer id, null if none (a hanging transaction). */
  transactionalId: string | null;
}

/**
 * /admin/transactions: every transactional id the coordinator knows, with its state,
 * producer, timeout, and — for an open transaction — its start, age and partitions; and
 * `openPartitions`, every partition whose producer state holds an open transaction, with
 * the transactional id that owns it (null when the coordinator knows none: a hanging
 * transaction holding the partition's last stable offset back).
 */
@Controller('admin/transactions')
@UseFilters(AdminErrorFilter)
export class TransactionsController {
  constructor(
    private readonly txns: TransactionCoordinator,
    private readonly replicas: ReplicaManager,
  ) {}

  @Get()
  list(): { transactions: TransactionView[]; open: number; openPartitions: OpenPartitionView[] } {
    const all = this.txns.all();
    const transactions = all.map((m) => view(m));
    const owner = new Map(all.map((m) => [m.producerId, m.transactionalId]));
    const openPartitions: OpenPartitionView[] = [];
    for (const p of this.replicas.allPartitions()) {
      for (const o of p.log.transactions.ongoingTransactions()) {
        openPartitions.push({
          topic: p.topic,
          partition: p.index,
          producerId: o.producerId,
          firstOffset: o.firstOffset,
          lastStableOffset: p.lastStableOffset,
          highWatermark: p.highWatermark,
          transactionalId: owner.get(o.producerId) ?? null,
        });
      }
    }
    return { transactions, open: transactions.filter((t) => t.ageMs !== null).length, openPartitions };
  }

  @Get(':id')
  describe(@Param('id') id: string): TransactionView {
    const m = this.txns.describe(id);
    if (!m) throw new NotFoundException(`transactional id ${id} is not known`);
    return view(m);
  }
}

function view(m: NonNullable<ReturnType<TransactionCoordinator['describe']>>): TransactionView {
  const open = OPEN.has(m.state) && m.txnStartTimestamp >= 0;
  return {
    transactionalId: m.transactionalId,
    state: TXN_STATE_NAMES[m.state],
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    timeoutMs: m.txnTimeoutMs,
    startedAt: open ? new Date(m.txnStartTimestamp).toISOString() : null,
    ageMs: open ? Date.now() - m.txnStartTimestamp : null,
    partitions: [...m.partitions].map(([topic, ids]) => ({ topic, partitions: [...ids].sort((a, b) => a - b) })),
  };
}
