import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { serveConsole } from './console/console';
import { AppModule } from './app.module';
import { ConfigError, loadBrokerConfig } from './config/broker-config';
import { createRootLogger, installJsonBodyParsing, NestPinoLogger } from '@millrace/app-common';

/**
 * Broker entry point. Validates the environment first: a bad value stops start-up
 * with exit code 2 and a message naming the variable, before any file is touched.
 */
async function main(): Promise<void> {
  const logger = createRootLogger('broker');
  let config;
  try {
    config = loadBrokerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`millrace broker: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), { logger: new NestPinoLogger(logger), abortOnError: false, bodyParser: false });
  installJsonBodyParsing(app);
  const consoleServed = serveConsole(app);
  app.enableShutdownHooks();
  await app.listen(config.httpPort, config.host);
  logger.info(
    { kafka: `${config.host}:${config.kafkaPort}`, http: `${config.host}:${config.httpPort}`, dataDir: config.dataDir },
    `broker started${consoleServed ? `; web console at http://${config.host}:${config.httpPort}/console/` : ''}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`millrace broker failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
