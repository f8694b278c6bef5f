import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config';

/**
 * The web console on the broker's HTTP port: the static files `npm run build` writes to
 * dist/console (apps/console, Vite), served under /console/, and /console/config.json
 * telling it where Kafka Connect's REST API is (MILLRACE_CONSOLE_CONNECT_URL; null lets
 * the console use this host's port 8083). The console talks only to the public REST
 * APIs: this broker's admin API, the registry and connect (which must allow the
 * console's origin: MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN; `npm start` sets it).
 */
export const CONSOLE_DIR = path.join(__dirname, '..', '..', '..', '..', 'console');

@Controller('console')
export class ConsoleConfigController {
  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {}

  @Get('config.json')
  configJson(): { connectUrl: string | null; built: boolean } {
    return { connectUrl: this.config.consoleConnectUrl, built: fs.existsSync(path.join(CONSOLE_DIR, 'index.html')) };
  }
}

@Module({ controllers: [ConsoleConfigController] })
export class ConsoleModule {}

/** Serves the built console under /console/ (nothing when it was not built). */
export function serveConsole(app: NestExpressApplication): boolean {
  if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html'))) return false;
  app.useStaticAssets(CONSOLE_DIR, { prefix: '/console/', index: 'index.html', fallthrough: true });
  return true;
}
