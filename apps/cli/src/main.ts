import { Command, CommanderError } from 'commander';
import { CliError, EXIT, makeContext, type CliContext, type GlobalOptions } from './cli-context';
import { registerClusterCommands } from './commands/cluster';
import { registerConnectorCommands } from './commands/connector';
import { registerGroupCommands } from './commands/group';
import { registerProduceConsume } from './commands/produce-consume';
import { registerSchemaCommands } from './commands/schema';
import { registerSnapshotCommands } from './commands/snapshot';
import { registerTopicCommands } from './commands/topic';

/**
 * `millrace`: the platform from a terminal (commander). Global options and exit codes:
 * cli-context.ts. Every command prints a table for people or, with `--json`, one JSON
 * document (one JSON object per record for `consume`).
 */
export function buildProgram(): Command {
  const program = new Command('millrace')
    .description('Millrace: Kafka-compatible broker, schema registry and connect — from the command line')
    .option('--bootstrap <host:port,...>', 'Kafka bootstrap servers (MILLRACE_BOOTSTRAP, default 127.0.0.1:9092)')
    .option('--registry-url <url>', 'schema registry (MILLRACE_REGISTRY_URL, default http://127.0.0.1:8081)')
    .option('--admin-url <url>', 'broker admin API (MILLRACE_ADMIN_URL, default the registry URL)')
    .option('--connect-url <url>', 'Kafka Connect REST (MILLRACE_CONNECT_URL, default http://127.0.0.1:8083)')
    .option('--json', 'print JSON instead of tables')
    .showHelpAfterError()
    .exitOverride();
  const ctx = (cmd: Command): CliContext => makeContext(cmd.optsWithGlobals<GlobalOptions>());
  registerClusterCommands(program, ctx);
  registerTopicCommands(program, ctx);
  registerProduceConsume(program, ctx);
  registerGroupCommands(program, ctx);
  registerConnectorCommands(program, ctx);
  registerSchemaCommands(program, ctx);
  registerSnapshotCommands(program, ctx);
  for (const cmd of allCommands(program)) cmd.exitOverride();
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI on `argv` (process.argv shape) and answers the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version print and end with exit code 0; parse errors were printed by commander
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`millrace: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`millrace: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  void runCli(process.argv).then((code) => process.exit(code));
}
