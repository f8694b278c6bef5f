import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { describeConfigKey, type ConfigInfos, type ConfigKeyInfo, type ConnectorPlugin } from '@millrace/connect-sdk';
import { ConnectRestError } from '../http/connect-rest-error';
import { PluginRegistry } from '../plugins/plugin-registry';
import { SecretsService } from '../secrets/secrets.service';
import { assertConfigSize } from './config-checks';
import { putConnectorConfigDto } from './connector-config.dto';
import { parseBody } from './request-body';

/**
 * Plugins: `GET /connector-plugins` ([{class, type, version}]),
 * `GET /connector-plugins/{p}/config` (the plugin's ConfigKeyInfos),
 * `PUT /connector-plugins/{p}/config/validate` (ConfigInfos; 200 even with errors;
 * secret values `[hidden]`).
 */
@Controller('connector-plugins')
export class ConnectorPluginsController {
  constructor(
    private readonly plugins: PluginRegistry,
    private readonly secrets: SecretsService,
  ) {}

  @Get()
  list(): { class: string; type: string; version: string }[] {
    return this.plugins.list().map((p) => ({ class: p.name, type: p.type, version: p.version }));
  }

  @Get(':plugin/config')
  config(@Param('plugin') name: string): ConfigKeyInfo[] {
    return this.find(name).configDef.keys.map((k) => describeConfigKey(k));
  }

  @Put(':plugin/config/validate')
  validate(@Param('plugin') name: string, @Body() body: unknown): ConfigInfos {
    const plugin = this.find(name);
    const config = parseBody(putConnectorConfigDto, body);
    assertConfigSize(config);
    const given = config['connector.class'];
    if (given !== undefined && this.plugins.find(given) !== plugin) {
      throw ConnectRestError.badRequest(`Included connector type ${given} does not match request type ${name}`);
    }
    const full = { ...config, 'connector.class': given ?? plugin.name };
    this.secrets.noteSecrets(full);
    return this.secrets.maskInfos(this.secrets.validate(plugin, full).infos, full);
  }

  private find(name: string): ConnectorPlugin {
    const plugin = this.plugins.find(name);
    if (!plugin) throw ConnectRestError.notFound(`Unknown plugin ${name}`);
    return plugin;
  }
}
