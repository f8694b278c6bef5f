import type { Command } from 'commander';
import { type CliContext } from '../cli-context';
import { httpJson } from '../http-json';
import { json, table } from '../output';
import { readJsonFile } from './produce-consume';

const enc = encodeURIComponent;

function registry<T>(c: CliContext, method: string, path: string, body: unknown, what: string): Promise<T> {
  return httpJson<T>(method, `${c.registryUrl}${path}`, body, what, '--registry-url or MILLRACE_REGISTRY_URL');
}

/**
 * `millrace schema list|get|register|check`: the Confluent schema registry API. `check`
 * exits 1 when the schema is not compatible with the subject's latest version (the
 * registry's verbose messages are printed), so it can gate a deployment.
 */
export function registerSchemaCommands(program: Command, ctx: (cmd: Command) => CliContext): void {
  const schema = program.command('schema').description('schema registry: list subjects, get, register, check compatibility');

  schema
    .command('list')
    .description('subjects with their latest version')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const subjects = await registry<string[]>(c, 'GET', '/subjects', undefined, 'schema list');
      const rows = await Promise.all(subjects.sort().map(async (s) => ({ subject: s, versions: (await registry<number[]>(c, 'GET', `/subjects/${enc(s)}/versions`, undefined, `schema list ${s}`)).length })));
      c.out(c.json ? json(rows) : table(['SUBJECT', 'VERSIONS'], rows.map((r) => [r.subject, r.versions])));
    });

  schema
    .command('get <subject>')
    .description('a version of a subject (default: latest)')
    .option('--version <v>', 'version number or latest', 'latest')
    .action(async (subject: string, opts: { version: string }, cmd: Command) => {
      const c = ctx(cmd);
      const v = await registry<{ subject: string; version: number; id: number; schema: string }>(c, 'GET', `/subjects/${enc(subject)}/versions/${enc(opts.version)}`, undefined, `schema get ${subject}`);
      c.out(c.json ? json(v) : `subject ${v.subject} version ${v.version} id ${v.id}\n${JSON.stringify(JSON.parse(v.schema), null, 2)}\n`);
    });

  schema
    .command('register <subject>')
    .description('register an Avro schema file under a subject')
    .requiredOption('-f, --file <file>', '.avsc file')
    .action(async (subject: string, opts: { file: string }, cmd: Command) => {
      const c = ctx(cmd);
      const body = { schema: JSON.stringify(readJsonFile(opts.file, '--file')) };
      const r = await registry<{ id: number }>(c, 'POST', `/subjects/${enc(subject)}/versions`, body, `schema register ${subject}`);
      c.out(c.json ? json({ subject, id: r.id }) : `registered ${subject}: id ${r.id}\n`);
    });

  schema
    .command('check <subject>')
    .description("check an Avro schema file against the subject's latest version (exit 1 when incompatible)")
    .requiredOption('-f, --file <file>', '.avsc file')
    .action(async (subject: string, opts: { file: string }, cmd: Command) => {
      const c = ctx(cmd);
      const body = { schema: JSON.stringify(readJsonFile(opts.file, '--file')) };
      const r = await registry<{ is_compatible: boolean; messages?: string[] }>(c, 'POST', `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`, body, `schema check ${subject}`);
      if (c.json) c.out(json(r));
      else c.out(r.is_compatible ? `compatible with the latest version of ${subject}\n` : `NOT compatible with the latest version of ${subject}:\n${(r.messages ?? []).map((m) => `  - ${m}`).join('\n')}\n`);
      if (!r.is_compatible) process.exitCode = 1;
    });
}
