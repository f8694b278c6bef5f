import { HttpException } from '@nestjs/common';

/**
 * An error the REST API answers as Kafka Connect does: HTTP status `status` and body
 * `{"error_code": status, "message": message}`.
 */
export class ConnectRestError extends HttpException {
  constructor(status: number, message: string) {
    super({ error_code: status, message }, status);
  }

  static notFound(message: string): ConnectRestError {
    return new ConnectRestError(404, message);
  }
  static badRequest(message: string): ConnectRestError {
    return new ConnectRestError(400, message);
  }
  static conflict(message: string): ConnectRestError {
    return new ConnectRestError(409, message);
  }
  static connectorNotFound(name: string): ConnectRestError {
    return new ConnectRestError(404, `Connector ${name} not found`);
  }
}
