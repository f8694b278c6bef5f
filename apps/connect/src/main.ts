import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConnectConfig } from './config/connect-config';
import { createRootLogger, installJsonBodyParsing, NestPinoLogger } from '@millrace/app-common';

/**
 * Connect worker entry point. Validates the environment first: a bad value stops
 * start-up with exit code 2 and a message naming the variable. The REST port opens only
 * after the storage topics were read to their end, so `GET /` answering means the
 * worker knows every connector's config, target state and offsets.
 */
async function main(): Promise<void> {
  const logger = createRootLogger('connect');
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
  const app = await NestFactory.create(AppModule.forRoot(config, logger), { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false });
  installJsonBodyParsing(app);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  logger.info({ rest: `${config.host}:${config.port}`, bootstrap: config.bootstrap, workerId: config.workerId, groupId: config.groupId }, 'connect worker started');
}

main().catch((err: unknown) => {
  process.stderr.write(`millrace connect failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
