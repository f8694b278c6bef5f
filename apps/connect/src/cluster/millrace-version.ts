/** The platform's version, as in package.json (served by `GET /` and the OpenAPI document). */
export const MILLRACE_VERSION = '0.1.0';
