export const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {}

/**
 * The request body as text, refusing more than `limit` bytes. Content-Length is checked first;
 * a chunked body is counted as it streams. (Hono's bodyLimit middleware costs several times the
 * throughput on node-server, hence this.)
 */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new BodyTooLarge();
  if (!req.body) return '';
  if (declared !== null) return req.text();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
