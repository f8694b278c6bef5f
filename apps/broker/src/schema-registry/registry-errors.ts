/**
 * Confluent Schema Registry's error model: every failure is an HTTP status plus a body
 * `{"error_code": n, "message": "..."}`. The codes and message texts follow Confluent's
 * (io.confluent.kafka.schemaregistry.rest.exceptions.Errors) so that clients matching on
 * them behave the same.
 */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const ErrorCodes = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  SCHEMA_VERSION_SOFT_DELETED: 40406,
  SCHEMA_VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  SUBJECT_MODE_NOT_CONFIGURED: 40409,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205,
  REFERENCE_EXISTS: 42206,
  ID_DOES_NOT_MATCH: 42207,
  INVALID_SUBJECT: 42208,
  STORE_ERROR: 50001,
  OPERATION_TIMEOUT: 50002,
  REQUEST_FORWARDING_FAILED: 50003,
} as const;

export const RegistryErrors = {
  subjectNotFound: (subject: string) => new RegistryError(404, ErrorCodes.SUBJECT_NOT_FOUND, `Subject '${subject}' not found.`),
  versionNotFound: (version: number) => new RegistryError(404, ErrorCodes.VERSION_NOT_FOUND, `Version ${version} not found.`),
  schemaNotFound: (id?: number | string) => new RegistryError(404, ErrorCodes.SCHEMA_NOT_FOUND, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(404, ErrorCodes.SUBJECT_SOFT_DELETED, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(404, ErrorCodes.SUBJECT_NOT_SOFT_DELETED, `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: string | number) =>
    new RegistryError(404, ErrorCodes.SCHEMA_VERSION_SOFT_DELETED, `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (subject: string, version: string | number) =>
    new RegistryError(404, ErrorCodes.SCHEMA_VERSION_NOT_SOFT_DELETED, `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`),
  compatibilityNotConfigured: (subject: string) =>
    new RegistryError(404, ErrorCodes.SUBJECT_COMPATIBILITY_NOT_CONFIGURED, `Subject '${subject}' does not have subject-level compatibility configured`),
  modeNotConfigured: (subject: string) => new RegistryError(404, ErrorCodes.SUBJECT_MODE_NOT_CONFIGURED, `Subject '${subject}' does not have subject-level mode configured`),
  incompatible: (subject: string, messages: string[]) =>
    new RegistryError(
      409,
      ErrorCodes.INCOMPATIBLE_SCHEMA,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
    ),
  invalidSchema: (message: string) => new RegistryError(422, ErrorCodes.INVALID_SCHEMA, message),
  invalidVersion: (version: string) =>
    new RegistryError(
      422,
      ErrorCodes.INVALID_VERSION,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      422,
      ErrorCodes.INVALID_COMPATIBILITY_LEVEL,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: () => new RegistryError(422, ErrorCodes.INVALID_MODE, 'Invalid mode. Valid values are READWRITE, READONLY and IMPORT.'),
  operationNotPermitted: (message: string) => new RegistryError(422, ErrorCodes.OPERATION_NOT_PERMITTED, message),
  referenceExists: (subject: string, version: number) =>
    new RegistryError(422, ErrorCodes.REFERENCE_EXISTS, `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`),
  idDoesNotMatch: (existingId: number, inputId: number) =>
    new RegistryError(422, ErrorCodes.ID_DOES_NOT_MATCH, `Schema already registered with id ${existingId} instead of input id ${inputId}`),
  invalidSubject: (subject: string) => new RegistryError(422, ErrorCodes.INVALID_SUBJECT, `The specified subject '${subject}' is not a valid.`),
  storeError: (message: string) => new RegistryError(500, ErrorCodes.STORE_ERROR, message),
  timeout: (message: string) => new RegistryError(500, ErrorCodes.OPERATION_TIMEOUT, message),
  /** Confluent's 50003, e.g. "Error while forwarding register schema request to the leader". */
  forwardingFailed: (operation: string, why: string) => new RegistryError(500, ErrorCodes.REQUEST_FORWARDING_FAILED, `Error while forwarding ${operation} request to the leader: ${why}`),
  /** 50003 on the leader side: this broker is (no longer) the registry leader; the client retries. */
  notLeader: (why: string) => new RegistryError(500, ErrorCodes.REQUEST_FORWARDING_FAILED, `This broker cannot write to the schema registry: ${why}`),
};
