/**
 * Where in a task's pipeline an operation runs (Kafka Connect's `Stage` names). Written
 * to the `__connect.errors.stage` dead letter queue header and to error logs.
 */
export const ERROR_STAGES = [
  'KEY_CONVERTER',
  'VALUE_CONVERTER',
  'HEADER_CONVERTER',
  'TRANSFORMATION',
  'TASK_PUT',
  'TASK_POLL',
  'KAFKA_PRODUCE',
  'KAFKA_CONSUME',
] as const;

export type ErrorStage = (typeof ERROR_STAGES)[number];

/**
 * Stages whose failures are all tolerable under `errors.tolerance=all` (converters and
 * transformations: bad data). In every other stage only retriable errors are tolerated
 * once their retries are exhausted; other errors fail the task whatever the tolerance.
 */
export function stageToleratesAllErrors(stage: ErrorStage): boolean {
  return stage === 'KEY_CONVERTER' || stage === 'VALUE_CONVERTER' || stage === 'HEADER_CONVERTER' || stage === 'TRANSFORMATION';
}
