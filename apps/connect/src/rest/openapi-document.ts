import { MILLRACE_VERSION } from '../cluster/millrace-version';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });
const ok = (description: string, schema?: Schema) => (schema ? { description, content: json(schema) } : { description });
const err = (description: string) => ({ description, content: json(ref('Error')) });
const connectorParam = { name: 'connector', in: 'path', required: true, schema: { type: 'string' } };
const taskParam = { name: 'task', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } };
const pluginParam = { name: 'plugin', in: 'path', required: true, schema: { type: 'string' } };
const loggerParam = { name: 'logger', in: 'path', required: true, schema: { type: 'string' } };
const logLevel = { type: 'string', enum: ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'] };
const boolQuery = (name: string) => ({ name, in: 'query', required: false, schema: { type: 'boolean', default: false } });
const configBody = { required: true, content: json(ref('ConnectorConfig')) };

interface Op {
  summary: string;
  params?: Schema[];
  body?: Schema;
  responses: Record<string, Schema>;
}

/** Every route of the REST API, path -> method -> operation (the controllers' contracts). */
const routes: Record<string, Record<string, Op>> = {
  '/': { get: { summary: 'Worker version and Kafka cluster id', responses: { 200: ok('Server info', ref('ServerInfo')) } } },
  '/connectors': {
    get: {
      summary: 'List connectors',
      params: [{ name: 'expand', in: 'query', required: false, schema: { type: 'array', items: { type: 'string', enum: ['status', 'info'] } }, style: 'form', explode: true }],
      responses: { 200: ok('Connector names, or an object keyed by name with the expansions', { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'object' }] }) },
    },
    post: {
      summary: 'Create a connector',
      body: { required: true, content: json(ref('CreateConnectorRequest')) },
      responses: { 201: ok('Created', ref('ConnectorInfo')), 400: err('Invalid config (the message names every bad field)'), 409: err('A connector with this name exists') },
    },
  },
  '/connectors/{connector}': {
    get: { summary: 'Get a connector', params: [connectorParam], responses: { 200: ok('Connector', ref('ConnectorInfo')), 404: err('Unknown connector') } },
    delete: { summary: 'Delete a connector', params: [connectorParam], responses: { 204: ok('Deleted'), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/config': {
    get: { summary: "Get a connector's config", params: [connectorParam], responses: { 200: ok('Config', ref('ConnectorConfig')), 404: err('Unknown connector') } },
    put: { summary: 'Create or replace a connector config', params: [connectorParam], body: configBody, responses: { 200: ok('Updated', ref('ConnectorInfo')), 201: ok('Created', ref('ConnectorInfo')), 400: err('Invalid config') } },
    patch: { summary: 'Merge into a connector config (null removes a key)', params: [connectorParam], body: configBody, responses: { 200: ok('Updated', ref('ConnectorInfo')), 400: err('Invalid config'), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/status': {
    get: { summary: "Connector and task states", params: [connectorParam], responses: { 200: ok('Status', ref('ConnectorStatus')), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/restart': {
    post: {
      summary: 'Restart a connector (and its tasks)',
      params: [connectorParam, boolQuery('includeTasks'), boolQuery('onlyFailed')],
      responses: { 202: ok('Restarting (with flags)', ref('ConnectorStatus')), 204: ok('Restarted (no flags)'), 404: err('Unknown connector') },
    },
  },
  '/connectors/{connector}/pause': { put: { summary: 'Pause a connector and its tasks', params: [connectorParam], responses: { 202: ok('Accepted'), 404: err('Unknown connector') } } },
  '/connectors/{connector}/resume': { put: { summary: 'Resume a paused or stopped connector', params: [connectorParam], responses: { 202: ok('Accepted'), 404: err('Unknown connector') } } },
  '/connectors/{connector}/stop': { put: { summary: 'Stop a connector and shut its tasks down', params: [connectorParam], responses: { 202: ok('Accepted'), 404: err('Unknown connector') } } },
  '/connectors/{connector}/tasks': {
    get: { summary: "A connector's task configs", params: [connectorParam], responses: { 200: ok('Tasks', { type: 'array', items: ref('TaskInfo') }), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/tasks/{task}/status': {
    get: { summary: "A task's state", params: [connectorParam, taskParam], responses: { 200: ok('Task state', ref('TaskState')), 404: err('Unknown connector or task') } },
  },
  '/connectors/{connector}/tasks/{task}/restart': {
    post: { summary: 'Restart a task', params: [connectorParam, taskParam], responses: { 204: ok('Restarted'), 404: err('Unknown connector or task') } },
  },
  '/connectors/{connector}/offsets': {
    get: { summary: "A connector's offsets", params: [connectorParam], responses: { 200: ok('Offsets', ref('ConnectorOffsets')), 404: err('Unknown connector') } },
    patch: {
      summary: 'Alter offsets (connector must be STOPPED)',
      params: [connectorParam],
      body: { required: true, content: json(ref('ConnectorOffsets')) },
      responses: { 200: ok('Altered', ref('Message')), 400: err('Not STOPPED or bad offsets'), 404: err('Unknown connector') },
    },
    delete: { summary: 'Reset offsets (connector must be STOPPED)', params: [connectorParam], responses: { 200: ok('Reset', ref('Message')), 400: err('Not STOPPED'), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/snapshots': {
    post: {
      summary: 'Start an incremental snapshot of tables while streaming continues (Debezium execute-snapshot signal)',
      params: [connectorParam],
      body: { required: true, content: json(incrementalSnapshotBody(['data-collections'])) },
      responses: { 202: ok('Signal delivered', { type: 'object', properties: { id: { type: 'string' }, message: { type: 'string' } } }), 400: err('Bad body or a plugin without signals'), 404: err('Unknown connector'), 502: err('Source unreachable') },
    },
    delete: {
      summary: 'Stop an incremental snapshot (the listed tables, else all)',
      params: [connectorParam],
      body: { required: false, content: json(incrementalSnapshotBody([])) },
      responses: { 202: ok('Signal delivered', { type: 'object', properties: { id: { type: 'string' }, message: { type: 'string' } } }), 400: err('Bad body or a plugin without signals'), 404: err('Unknown connector'), 502: err('Source unreachable') },
    },
  },
  '/connectors/{connector}/topics': {
    get: { summary: "A connector's active topics", params: [connectorParam], responses: { 200: ok('`{"<connector>": {"topics": [...]}}`', { type: 'object', additionalProperties: ref('ActiveTopics') }), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/topics/reset': {
    put: { summary: "Empty a connector's active topics", params: [connectorParam], responses: { 202: ok('Accepted'), 404: err('Unknown connector') } },
  },
  '/connectors/{connector}/reconcile': {
    post: { summary: 'Compare the source tables with the tables a sink writes, in key chunks', params: [connectorParam], responses: { 202: ok('Started', ref('ReconcileReport')), 400: err('Not a table sink, or nothing written yet'), 404: err('Unknown connector'), 409: err('A run is going on') } },
    get: { summary: "The latest reconciliation of a sink on this worker", params: [connectorParam], responses: { 200: ok('Report', ref('ReconcileReport')), 404: err('Unknown connector, or never reconciled here') } },
  },
  '/admin/loggers': { get: { summary: 'Log levels by logger name', responses: { 200: ok('Loggers', { type: 'object', additionalProperties: ref('LoggerLevel') }) } } },
  '/admin/loggers/{logger}': {
    get: { summary: "A logger's level", params: [loggerParam], responses: { 200: ok('Level', ref('LoggerLevel')), 404: err('Unknown logger') } },
    put: {
      summary: "Set a logger's level (root: every logger)",
      params: [loggerParam, { name: 'scope', in: 'query', required: false, schema: { type: 'string', enum: ['worker'] } }],
      body: { required: true, content: json({ type: 'object', required: ['level'], properties: { level: logLevel } }) },
      responses: { 200: ok('Names of the loggers set', { type: 'array', items: { type: 'string' } }), 400: err('Missing or unknown level') },
    },
  },
  '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
  '/health': { get: { summary: 'Liveness and task states', responses: { 200: ok('Up', { type: 'object', properties: { status: { type: 'string' }, tasks: { type: 'object' } } }) } } },
  '/connector-plugins': { get: { summary: 'Installed connector plugins', responses: { 200: ok('Plugins', { type: 'array', items: ref('PluginInfo') }) } } },
  '/connector-plugins/{plugin}/config': {
    get: { summary: "A plugin's config definitions", params: [pluginParam], responses: { 200: ok('Definitions', { type: 'array', items: ref('ConfigKeyInfo') }), 404: err('Unknown plugin') } },
  },
  '/connector-plugins/{plugin}/config/validate': {
    put: { summary: 'Validate a connector config', params: [pluginParam], body: configBody, responses: { 200: ok('Validation result', ref('ConfigInfos')), 400: err('Bad request'), 404: err('Unknown plugin') } },
  },
  '/openapi.json': { get: { summary: 'This document', responses: { 200: ok('OpenAPI 3 document', { type: 'object' }) } } },
};

function incrementalSnapshotBody(required: string[]): Schema {
  return {
    type: 'object',
    required,
    properties: {
      'data-collections': { type: 'array', items: { type: 'string' }, description: 'Tables as schema.table (regular expressions)' },
      type: { type: 'string', enum: ['incremental'] },
      'additional-conditions': { type: 'array', items: { type: 'object', properties: { 'data-collection': { type: 'string' }, filter: { type: 'string' } } } },
    },
  };
}

const state = { type: 'string', enum: ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'] };
const schemas: Record<string, Schema> = {
  Error: { type: 'object', required: ['error_code', 'message'], properties: { error_code: { type: 'integer' }, message: { type: 'string' } } },
  Message: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
  ServerInfo: { type: 'object', properties: { version: { type: 'string' }, commit: { type: 'string' }, kafka_cluster_id: { type: 'string' } } },
  ConnectorConfig: { type: 'object', additionalProperties: { type: 'string' } },
  CreateConnectorRequest: {
    type: 'object',
    required: ['name', 'config'],
    properties: { name: { type: 'string' }, config: ref('ConnectorConfig'), initial_state: { type: 'string', enum: ['RUNNING', 'PAUSED', 'STOPPED'] } },
  },
  ConnectorTaskId: { type: 'object', properties: { connector: { type: 'string' }, task: { type: 'integer' } } },
  ConnectorInfo: {
    type: 'object',
    properties: { name: { type: 'string' }, config: ref('ConnectorConfig'), tasks: { type: 'array', items: ref('ConnectorTaskId') }, type: { type: 'string', enum: ['source', 'sink', 'unknown'] } },
  },
  TaskInfo: { type: 'object', properties: { id: ref('ConnectorTaskId'), config: ref('ConnectorConfig') } },
  State: { type: 'object', required: ['state', 'worker_id'], properties: { state, worker_id: { type: 'string' }, trace: { type: 'string' } } },
  TaskState: { type: 'object', required: ['id', 'state', 'worker_id'], properties: { id: { type: 'integer' }, state, worker_id: { type: 'string' }, trace: { type: 'string' } } },
  ConnectorStatus: {
    type: 'object',
    properties: { name: { type: 'string' }, connector: ref('State'), tasks: { type: 'array', items: ref('TaskState') }, type: { type: 'string' } },
  },
  ConnectorOffsets: {
    type: 'object',
    required: ['offsets'],
    properties: { offsets: { type: 'array', items: { type: 'object', properties: { partition: { type: 'object' }, offset: { type: 'object', nullable: true } } } } },
  },
  ReconcileReport: {
    type: 'object',
    required: ['connector', 'state', 'started_at', 'drifted_chunks', 'tables'],
    properties: {
      connector: { type: 'string' },
      state: { type: 'string', enum: ['RUNNING', 'COMPLETED', 'FAILED'] },
      started_at: { type: 'string', format: 'date-time' },
      finished_at: { type: 'string', format: 'date-time', nullable: true },
      drifted_chunks: { type: 'integer' },
      tables: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            topic: { type: 'string' }, source: { type: 'string' }, target: { type: 'string' }, state: { type: 'string', enum: ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED'] },
            key_columns: { type: 'array', items: { type: 'string' } }, columns: { type: 'array', items: { type: 'string' } },
            chunks: { type: 'integer' }, chunks_done: { type: 'integer' }, source_rows: { type: 'integer' }, target_rows: { type: 'integer' }, error: { type: 'string' },
            drifted: { type: 'array', items: { type: 'object', properties: { chunk: { type: 'integer' }, from: { type: 'array', items: { type: 'string' }, nullable: true }, to: { type: 'array', items: { type: 'string' }, nullable: true }, source_rows: { type: 'integer' }, target_rows: { type: 'integer' } } } },
          },
        },
      },
    },
  },
  ActiveTopics: { type: 'object', required: ['topics'], properties: { topics: { type: 'array', items: { type: 'string' } } } },
  LoggerLevel: { type: 'object', required: ['level'], properties: { level: logLevel, last_modified: { type: 'integer', nullable: true } } },
  PluginInfo: { type: 'object', properties: { class: { type: 'string' }, type: { type: 'string' }, version: { type: 'string' } } },
  ConfigKeyInfo: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      type: { type: 'string' },
      required: { type: 'boolean' },
      default_value: { type: 'string', nullable: true },
      importance: { type: 'string' },
      documentation: { type: 'string' },
      group: { type: 'string', nullable: true },
      width: { type: 'string' },
      display_name: { type: 'string' },
      dependents: { type: 'array', items: { type: 'string' } },
      order: { type: 'integer' },
    },
  },
  ConfigInfos: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      error_count: { type: 'integer' },
      groups: { type: 'array', items: { type: 'string' } },
      configs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            definition: ref('ConfigKeyInfo'),
            value: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                value: { type: 'string', nullable: true },
                recommended_values: { type: 'array', items: { type: 'string' } },
                errors: { type: 'array', items: { type: 'string' } },
                visible: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
};

/** The OpenAPI 3.0 document of the connect REST API (`GET /openapi.json`). */
export function buildOpenApiDocument(): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const [path, methods] of Object.entries(routes)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      paths[path][method] = {
        summary: op.summary,
        ...(op.params ? { parameters: op.params } : {}),
        ...(op.body ? { requestBody: op.body } : {}),
        responses: op.responses,
      };
    }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Millrace Connect REST API', version: MILLRACE_VERSION, description: "Kafka Connect's REST API: connectors, tasks, offsets and plugins." },
    paths,
    components: { schemas },
  };
}
