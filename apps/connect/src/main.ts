import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConnectConfig } from './config/connect-config';
import { createRootLogger, installJsonBodyParsing, LogLevels, NestPinoLogger } from '@millrace/app-common';
import { HerderService } from './herder/herder.service';
import { MAX_REQUEST_BODY_BYTES } from './rest/config-checks';
import { LogScrubber } from './secrets/log-scrubber';

/**
 * Connect worker entry point. Validates the environment first: a bad value stops
 * start-up with exit code 2 and a message naming the variable. The REST port opens only
 * after the storage topics were read to their end, so `GET /` answering means the
 * worker knows every connector's config, target state and offsets. Every log line
 * passes the LogScrubber (secrets hidden); a normal start prints one summary line.
 */
async function main(): Promise<void> {
  const scrubber = new LogScrubber();
  const levels = new LogLevels();
  const logger = createRootLogger('connect', { levels, scrub: (line) => scrubber.scrub(line) });
  let config;
  try {
    config = loadConnectConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`millrace connect: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await NestFactory.create(AppModule.forRoot(config, logger, { scrubber, levels }), { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false });
  installJsonBodyParsing(app, MAX_REQUEST_BODY_BYTES);
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins, methods: config.corsMethods });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const connectors = app.get(HerderService).connectorNames();
  logger.info(
    { rest: `http://${config.host}:${config.port}`, bootstrap: config.bootstrap, workerId: config.workerId, groupId: config.groupId, dataDir: config.dataDir, connectors },
    `connect worker listening on http://${config.host}:${config.port} (Kafka ${config.bootstrap.join(',')}, group ${config.groupId}, data ${config.dataDir}); ` +
      `${connectors.length} connector(s) resumed${connectors.length > 0 ? `: ${connectors.join(', ')}` : ''}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`millrace connect failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
