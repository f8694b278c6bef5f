import { Controller, Get, NotFoundException, Param, UseFilters } from '@nestjs/common';
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

/**
 * /admin/transactions: every transactional id the coordinator knows, with its state,
 * producer, timeout, and — for an open transaction — its start, age and partitions, so a
 * hung transaction (the one holding a partition's last stable offset back) can be found.
 */
@Controller('admin/transactions')
@UseFilters(AdminErrorFilter)
export class TransactionsController {
  constructor(private readonly txns: TransactionCoordinator) {}

  @Get()
  list(): { transactions: TransactionView[]; open: number } {
    const transactions = this.txns.all().map((m) => view(m));
    return { transactions, open: transactions.filter((t) => t.ageMs !== null).length };
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
