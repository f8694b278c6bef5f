import type { ProcessingContext } from './processing-context';

/**
 * Receives every tolerated failure (Kafka Connect's ErrorReporter). The operator calls
 * `report` with the failed record's context (stage, executing class, error, record) and
 * awaits it before skipping the record; a rejected report rejects the operation, so the
 * runtime fails the task instead of committing past a record it could not report.
 */
export interface ErrorReporter {
  report(context: ProcessingContext): Promise<void>;
  close?(): Promise<void>;
}
