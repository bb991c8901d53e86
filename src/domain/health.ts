/**
 * The URL of a health endpoint. Endpoints are appended to the base URL's path,
 * so `https://host/api` + `/health` is `https://host/api/health` (URL
 * resolution would drop `/api`).
 */
export function endpointUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url.toString();
}
