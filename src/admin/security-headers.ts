import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

// The headers of the service's own pages (console, /guide): no framing, no sniffing, and a
// Content-Security-Policy under which only the service's own scripts and stylesheets run, so that
// markup slipped into a page cannot act. The pages use neither inline script nor style attributes
// (the charts are SVG with presentation attributes), and show no images.

export type Policy = NonNullable<Parameters<typeof secureHeaders>[0]>['contentSecurityPolicy'];

export const PAGE_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
} satisfies Policy;

/**
 * The headers with `policy` (PAGE_POLICY unless given). A header the response already carries is
 * kept, so that a page with a policy of its own (the guide, the queue dashboard) keeps it.
 */
export const pageHeaders = (policy: Policy = PAGE_POLICY): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: policy,
    xFrameOptions: 'DENY',
    xContentTypeOptions: true,
    // Pages choose their own: under no-referrer a browser sends `Origin: null` with a form, and the
    // console refuses a write whose Origin is not its own.
    referrerPolicy: false,
    // HTTPS, and for how long and which subdomains, is the deployment's to decide, at its proxy.
    strictTransportSecurity: false,
    overwrite: false,
  });
