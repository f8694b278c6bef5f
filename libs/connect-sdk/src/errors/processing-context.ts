import type { ConnectHeader, SourceRecord } from '../record/connect-record';
import type { ErrorStage } from './error-stage';

/**
 * A record as a sink task consumed it from Kafka, before conversion: the raw bytes the
 * dead letter queue re-publishes unchanged.
 */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since epoch, or null when the record carries none. */
  readonly timestamp: number | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly ConnectHeader[];
}

/**
 * The error-handling state of one record travelling through a task's pipeline (Kafka
 * Connect's ProcessingContext). Create one per record: `forConsumed` in sink tasks,
 * `forSource` in source tasks. The operator records the stage and executing class of
 * each operation it runs, the number of attempts of the current one, and the error that
 * failed it. Once failed, a context stays failed: later operations on the same record
 * are not run (the record is being skipped).
 */
export class ProcessingContext {
  private currentStage: ErrorStage | null = null;
  private currentClass: string | null = null;
  private attempts = 0;
  private failure: Error | null = null;

  private constructor(
    readonly consumedRecord: ConsumedRecord | null,
    readonly sourceRecord: SourceRecord | null,
  ) {}

  static forConsumed(record: ConsumedRecord): ProcessingContext {
    return new ProcessingContext(record, null);
  }

  static forSource(record: SourceRecord): ProcessingContext {
    return new ProcessingContext(null, record);
  }

  /** A context with no record (e.g. an operation on a whole batch). */
  static detached(): ProcessingContext {
    return new ProcessingContext(null, null);
  }

  get stage(): ErrorStage | null {
    return this.currentStage;
  }

  get executingClass(): string | null {
    return this.currentClass;
  }

  /** Attempts made by the latest operation (1 when it was not retried). */
  get attempt(): number {
    return this.attempts;
  }

  get error(): Error | null {
    return this.failure;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Marks the start of an operation (called by the operator). */
  position(stage: ErrorStage, executingClass: string): void {
    this.currentStage = stage;
    this.currentClass = executingClass;
    this.attempts = 0;
  }

  /** Counts one attempt of the current operation (called by the operator). */
  recordAttempt(): void {
    this.attempts += 1;
  }

  /** Marks the record failed with this error (called by the operator). */
  fail(error: Error): void {
    this.failure = error;
  }
}
