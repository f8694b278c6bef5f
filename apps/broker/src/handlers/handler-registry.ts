import type { ApiDefinition } from '@millrace/protocol';
import type { ApiHandler } from './api-handler';

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/**
 * Maps an API key to its handler and lists what the broker supports, which is what
 * ApiVersions answers. A handler's range must lie inside its definition's versions.
 */
export class HandlerRegistry {
  private readonly byKey = new Map<number, ApiHandler>();

  constructor(handlers: readonly ApiHandler[]) {
    for (const h of handlers) this.register(h);
  }

  register(handler: ApiHandler): void {
    const { apiKey, name, validVersions } = handler.api as ApiDefinition;
    if (this.byKey.has(apiKey)) throw new Error(`two handlers for API ${apiKey} (${name})`);
    if (handler.minVersion < validVersions[0] || handler.maxVersion > validVersions[1] || handler.minVersion > handler.maxVersion) {
      throw new Error(`${name} handler range ${handler.minVersion}-${handler.maxVersion} is outside the definition's ${validVersions[0]}-${validVersions[1]}`);
    }
    this.byKey.set(apiKey, handler);
  }

  get(apiKey: number): ApiHandler | undefined {
    return this.byKey.get(apiKey);
  }

  supports(apiKey: number, version: number): boolean {
    const h = this.byKey.get(apiKey);
    return h !== undefined && version >= h.minVersion && version <= h.maxVersion;
  }

  supportedApis(): SupportedApi[] {
    return [...this.byKey.values()]
      .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
