/**
 * The api's contract as an OpenAPI 3.1 document, generated from the zod schemas of this package (zod 4's own
 * JSON Schema output, whose 2020-12 dialect is OpenAPI 3.1's) — no second, hand-written copy of any schema. What
 * is written here is only what a schema cannot say: which route takes which schema, its method, guard and
 * failures. The api serves the result at `ROUTES.openapi`; `openapi.json` beside this package is the committed
 * copy its test keeps in step.
 */
import { z } from 'zod';
import {
  getOpenIdQuerySchema,
  logoutEverywhereResultSchema,
  logoutResultSchema,
  openIdSchema,
  redirectQuerySchema,
  revokeSessionsResultSchema,
  userInfoSchema,
} from './auth';
import { apiFailureSchema } from './envelope';
import { API_ERRORS, type ApiErrorSlug } from './errors';
import { healthSchema, readinessSchema } from './health';
import { jssdkConfigSchema, jssdkQuerySchema } from './jssdk';
import {
  orderViewSchema,
  ordersPageSchema,
  ordersQuerySchema,
  outTradeNoSchema,
  payWalletRequestSchema,
  payWalletResponseSchema,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeySchema,
  refundRequestSchema,
  refundViewSchema,
} from './pay';
import {
  adminProductListSchema,
  adminProductViewSchema,
  productIdSchema,
  productListSchema,
  productUpsertSchema,
} from './products';
import { ROUTES } from './routes';

type JsonSchema = Record<string, unknown>;
type RouteKey = keyof typeof ROUTES;
type Guard = 'none' | 'session' | 'admin';
type Method = 'get' | 'post' | 'put';

/** How a route answers when it succeeds. */
type Success =
  | { kind: 'json'; status: 200 | 201; data: z.ZodType; description: string }
  | { kind: 'redirect'; description: string }
  | { kind: 'xml'; description: string };

interface Operation {
  route: RouteKey;
  method: Method;
  /** The path in OpenAPI's template form (`{outTradeNo}` where the api's router has `:outTradeNo`). */
  path: string;
  operationId: string;
  tag: 'auth' | 'jssdk' | 'pay' | 'notify' | 'admin' | 'health' | 'meta';
  summary: string;
  guard: Guard;
  query?: z.ZodObject;
  pathParams?: Record<string, z.ZodType>;
  /** Request headers the route reads (optional ones say what they change). */
  headers?: { name: string; required: boolean; description: string; schema: z.ZodType }[];
  jsonBody?: z.ZodType;
  /** A raw XML body (WeChat's notifies): not JSON, so no schema beyond "a string". */
  xmlBody?: true;
  success: Success;
  errors: ApiErrorSlug[];
}

const ORDER = '/api/wechat/pay/orders/{outTradeNo}';

/** Every route of `ROUTES`, in the order the api mounts them. The test checks none is missing. */
const OPERATIONS: Operation[] = [
  {
    route: 'jssdk',
    method: 'get',
    path: ROUTES.jssdk,
    operationId: 'getJssdkConfig',
    tag: 'jssdk',
    summary: 'The signed wx.config for a page URL (the #fragment is dropped before signing).',
    guard: 'none',
    query: jssdkQuerySchema,
    success: {
      kind: 'json',
      status: 200,
      data: jssdkConfigSchema,
      description: 'The fields wx.config takes.',
    },
    errors: ['invalid_url', 'wechat_error', 'wechat_unavailable'],
  },
  {
    route: 'healthz',
    method: 'get',
    path: ROUTES.healthz,
    operationId: 'getHealth',
    tag: 'health',
    summary: 'Liveness: the process answers.',
    guard: 'none',
    success: { kind: 'json', status: 200, data: healthSchema, description: 'Alive.' },
    errors: [],
  },
  {
    route: 'readyz',
    method: 'get',
    path: ROUTES.readyz,
    operationId: 'getReadiness',
    tag: 'health',
    summary: 'Readiness: the database (and Redis when configured) answer.',
    guard: 'none',
    success: { kind: 'json', status: 200, data: readinessSchema, description: 'Every check passed.' },
    errors: ['not_ready'],
  },
  {
    route: 'redirect',
    method: 'get',
    path: ROUTES.redirect,
    operationId: 'startLogin',
    tag: 'auth',
    summary:
      "Start WeChat web OAuth: 302 to WeChat's authorize page, binding a one-time state to this browser.",
    guard: 'none',
    query: redirectQuerySchema,
    success: { kind: 'redirect', description: "To WeChat's authorize page." },
    errors: ['invalid_request', 'invalid_callback', 'invalid_scope'],
  },
  {
    route: 'getOpenId',
    method: 'get',
    path: ROUTES.getOpenId,
    operationId: 'finishLogin',
    tag: 'auth',
    summary: 'The OAuth redirect_uri: exchanges the code, sets the session cookie, 302 back to the callback.',
    guard: 'none',
    query: getOpenIdQuerySchema,
    success: {
      kind: 'redirect',
      description: 'To the callback (with wx_auth=denied when the user declined).',
    },
    errors: ['invalid_request', 'invalid_state', 'oauth_code_rejected', 'wechat_error', 'wechat_unavailable'],
  },
  {
    route: 'getUserInfo',
    method: 'get',
    path: ROUTES.getUserInfo,
    operationId: 'getUserInfo',
    tag: 'auth',
    summary: 'The logged-in user.',
    guard: 'session',
    success: { kind: 'json', status: 200, data: userInfoSchema, description: 'The user of the session.' },
    errors: ['unauthenticated'],
  },
  {
    route: 'logout',
    method: 'post',
    path: ROUTES.logout,
    operationId: 'logout',
    tag: 'auth',
    summary:
      'Revoke the session of the cookie sent (a captured copy stops working too) and clear the cookie. Same-origin ' +
      'requests only; without a valid session it only clears the cookie.',
    guard: 'none',
    success: { kind: 'json', status: 200, data: logoutResultSchema, description: 'Logged out.' },
    errors: ['forbidden'],
  },
  {
    route: 'logoutEverywhere',
    method: 'post',
    path: ROUTES.logoutEverywhere,
    operationId: 'logoutEverywhere',
    tag: 'auth',
    summary:
      'Log out on every device: revoke every session of the user (this one included) and clear this cookie. ' +
      'Same-origin requests only.',
    guard: 'session',
    success: {
      kind: 'json',
      status: 200,
      data: logoutEverywhereResultSchema,
      description: 'Every session of the user is revoked.',
    },
    errors: ['unauthenticated', 'forbidden'],
  },
  {
    route: 'payCallback',
    method: 'post',
    path: ROUTES.payCallback,
    operationId: 'payNotify',
    tag: 'notify',
    summary: "WeChat Pay's payment notify (XML, signed); answered in XML, SUCCESS only after the commit.",
    guard: 'none',
    xmlBody: true,
    success: { kind: 'xml', description: 'SUCCESS, or FAIL (WeChat retries).' },
    errors: [],
  },
  {
    route: 'refundCallback',
    method: 'post',
    path: ROUTES.refundCallback,
    operationId: 'refundNotify',
    tag: 'notify',
    summary: "WeChat Pay's refund notify (XML, req_info encrypted with the API key).",
    guard: 'none',
    xmlBody: true,
    success: { kind: 'xml', description: 'SUCCESS, or FAIL (WeChat retries).' },
    errors: [],
  },
  {
    route: 'products',
    method: 'get',
    path: ROUTES.products,
    operationId: 'listProducts',
    tag: 'pay',
    summary: 'The products on sale, with their server-side prices (the H5 lists them; no session needed).',
    guard: 'none',
    success: { kind: 'json', status: 200, data: productListSchema, description: 'The active products.' },
    errors: [],
  },
  {
    route: 'payWallet',
    method: 'post',
    path: ROUTES.payWallet,
    operationId: 'createOrder',
    tag: 'pay',
    summary:
      'Buy a product: the server prices the order (quantity × its price, or a custom amount where the product ' +
      'allows one), prepays it at WeChat and answers the chooseWXPay parameters.',
    guard: 'session',
    jsonBody: payWalletRequestSchema,
    success: {
      kind: 'json',
      status: 200,
      data: payWalletResponseSchema,
      description: 'The order number and the signed JSAPI pay parameters.',
    },
    errors: [
      'unauthenticated',
      'invalid_json',
      'invalid_amount',
      'invalid_request',
      'unknown_product',
      'product_inactive',
      'custom_amount_not_allowed',
      'unsupported_media_type',
      'payload_too_large',
      'wechat_error',
      'wechat_unavailable',
    ],
  },
  {
    route: 'orders',
    method: 'get',
    path: ROUTES.orders,
    operationId: 'listOrders',
    tag: 'pay',
    summary: "The user's orders, newest first, a page at a time.",
    guard: 'session',
    query: ordersQuerySchema,
    success: { kind: 'json', status: 200, data: ordersPageSchema, description: 'One page of orders.' },
    errors: ['unauthenticated', 'invalid_request'],
  },
  {
    route: 'order',
    method: 'get',
    path: ORDER,
    operationId: 'getOrder',
    tag: 'pay',
    summary: "One of the user's orders (a PENDING one is reconciled with WeChat first).",
    guard: 'session',
    pathParams: { outTradeNo: outTradeNoSchema },
    success: { kind: 'json', status: 200, data: orderViewSchema, description: 'The order.' },
    errors: ['unauthenticated', 'invalid_request', 'order_not_found'],
  },
  {
    route: 'closeOrder',
    method: 'post',
    path: `${ORDER}/close`,
    operationId: 'closeOrder',
    tag: 'pay',
    summary: 'Close an unpaid order, at WeChat first.',
    guard: 'session',
    pathParams: { outTradeNo: outTradeNoSchema },
    success: { kind: 'json', status: 200, data: orderViewSchema, description: 'The closed order.' },
    errors: ['unauthenticated', 'invalid_request', 'order_not_found', 'order_already_paid', 'wechat_error'],
  },
  {
    route: 'prepayOrder',
    method: 'post',
    path: `${ORDER}/prepay`,
    operationId: 'prepayOrder',
    tag: 'pay',
    summary: 'Pay a PENDING order again: fresh chooseWXPay parameters for the same out_trade_no.',
    guard: 'session',
    pathParams: { outTradeNo: outTradeNoSchema },
    success: {
      kind: 'json',
      status: 200,
      data: payWalletResponseSchema,
      description: 'The order number and the signed JSAPI pay parameters.',
    },
    errors: [
      'unauthenticated',
      'invalid_request',
      'order_not_found',
      'order_already_paid',
      'order_closed',
      'wechat_error',
      'wechat_unavailable',
    ],
  },
  {
    route: 'adminRefund',
    method: 'post',
    path: '/api/admin/orders/{outTradeNo}/refund',
    operationId: 'createRefund',
    tag: 'admin',
    summary: 'Refund part or all of a paid order (merchant only).',
    guard: 'admin',
    pathParams: { outTradeNo: outTradeNoSchema },
    headers: [
      {
        name: IDEMPOTENCY_KEY_HEADER,
        required: false,
        description:
          'Send one (a UUID) with every refund: a retry with the same key and body returns the refund the first ' +
          'request made (never a second refund), even after a 503 whose outcome was unknown; the same key with ' +
          'another body is 422 idempotency_key_reused. Without a key every request is a new refund.',
        schema: idempotencyKeySchema,
      },
    ],
    jsonBody: refundRequestSchema,
    success: {
      kind: 'json',
      status: 201,
      data: refundViewSchema,
      description: 'The refund, as submitted (or as it is now, for a retry with the same Idempotency-Key).',
    },
    errors: [
      'admin_unauthorized',
      'invalid_json',
      'invalid_amount',
      'invalid_request',
      'order_not_found',
      'order_not_paid',
      'refund_exceeds_paid',
      'idempotency_key_reused',
      'wechat_error',
      'wechat_unavailable',
    ],
  },
  {
    route: 'adminProducts',
    method: 'get',
    path: ROUTES.adminProducts,
    operationId: 'listAllProducts',
    tag: 'admin',
    summary: 'Every product, inactive ones too (merchant only).',
    guard: 'admin',
    success: { kind: 'json', status: 200, data: adminProductListSchema, description: 'All products.' },
    // 405: the api was given a product catalog it cannot manage (the merchant's own system).
    errors: ['admin_unauthorized', 'method_not_allowed'],
  },
  {
    route: 'adminProduct',
    method: 'put',
    path: '/api/admin/products/{productId}',
    operationId: 'putProduct',
    tag: 'admin',
    summary:
      'Create a product or replace it (merchant only). A new price applies to orders placed from now on; ' +
      '`active: false` stops selling it.',
    guard: 'admin',
    pathParams: { productId: productIdSchema },
    jsonBody: productUpsertSchema,
    success: {
      kind: 'json',
      status: 200,
      data: adminProductViewSchema,
      description: 'The product as stored.',
    },
    errors: [
      'admin_unauthorized',
      'invalid_json',
      'invalid_request',
      'invalid_amount',
      'unsupported_media_type',
      'payload_too_large',
      'method_not_allowed',
    ],
  },
  {
    route: 'adminRevokeSessions',
    method: 'post',
    path: '/api/admin/users/{openId}/sessions/revoke',
    operationId: 'revokeUserSessions',
    tag: 'admin',
    summary: 'Revoke every session of a user on every device, e.g. a lost phone (merchant support only).',
    guard: 'admin',
    pathParams: { openId: openIdSchema },
    success: {
      kind: 'json',
      status: 200,
      data: revokeSessionsResultSchema,
      description: "The user's new session version; every older session cookie is refused.",
    },
    errors: ['admin_unauthorized', 'invalid_request', 'user_not_found'],
  },
  {
    route: 'openapi',
    method: 'get',
    path: ROUTES.openapi,
    operationId: 'getOpenApi',
    tag: 'meta',
    summary: 'This document.',
    guard: 'none',
    success: { kind: 'json', status: 200, data: z.object({}), description: 'OpenAPI 3.1.' },
    errors: [],
  },
];

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` line each root would carry. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parametersOf(operation: Operation): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(operation.pathParams ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: schemaOf(schema, 'input') });
  }
  for (const header of operation.headers ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: header.required,
      description: header.description,
      schema: schemaOf(header.schema, 'input'),
    });
  }
  if (operation.query) {
    // What a client may send (input): a defaulted field is optional; `z.coerce` fields are typed by their output.
    const input = schemaOf(operation.query, 'input');
    const output = schemaOf(operation.query, 'output');
    const required = new Set((input.required as string[] | undefined) ?? []);
    const properties = (output.properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, schema] of Object.entries(properties)) {
      parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return parameters;
}

const failureResponse = (slug: ApiErrorSlug) => ({
  description: `\`${slug}\` (envelope code ${API_ERRORS[slug].code})`,
});

function responsesOf(operation: Operation): Record<string, JsonSchema> {
  const responses: Record<string, JsonSchema> = {};
  const { success } = operation;
  if (success.kind === 'json') {
    responses[String(success.status)] = {
      description: success.description,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { code: { const: 0 }, data: schemaOf(success.data, 'output') },
            required: ['code', 'data'],
          },
        },
      },
    };
  } else if (success.kind === 'redirect') {
    responses['302'] = {
      description: success.description,
      headers: { Location: { schema: { type: 'string', format: 'uri' } } },
    };
  } else {
    responses['200'] = {
      description: success.description,
      content: { 'text/xml': { schema: { type: 'string' } } },
    };
  }
  // Failures grouped by HTTP status; each names its slugs (clients branch on `error`, never on `message`).
  const byStatus = new Map<number, ApiErrorSlug[]>();
  // Any route may meet a database outage or a bug.
  const always: ApiErrorSlug[] = ['database_unavailable', 'internal_error'];
  for (const slug of [...operation.errors, ...always]) {
    const status = API_ERRORS[slug].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  for (const [status, slugs] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: slugs.map((slug) => failureResponse(slug).description).join('; '),
      content: {
        'application/json': {
          schema: {
            allOf: [{ $ref: '#/components/schemas/ApiFailure' }, { properties: { error: { enum: slugs } } }],
          },
        },
      },
    };
  }
  return responses;
}

const SECURITY: Record<Guard, JsonSchema[] | undefined> = {
  none: undefined,
  session: [{ session: [] }],
  admin: [{ adminToken: [] }],
};

/** The whole document; deterministic (same contracts, same JSON), so a committed copy can be compared. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of OPERATIONS) {
    const entry: JsonSchema = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      responses: responsesOf(operation),
    };
    const parameters = parametersOf(operation);
    if (parameters.length > 0) entry.parameters = parameters;
    if (operation.jsonBody) {
      entry.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(operation.jsonBody, 'input') } },
      };
    }
    if (operation.xmlBody) {
      entry.requestBody = { required: true, content: { 'text/xml': { schema: { type: 'string' } } } };
    }
    const security = SECURITY[operation.guard];
    if (security) entry.security = security;
    (paths[operation.path] ??= {})[operation.method] = entry;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'wxh5 api',
      version: '1.0.0',
      description:
        'WeChat web OAuth, JS-SDK config and WeChat Pay (JSAPI) for an Official Account H5 page. Every JSON answer ' +
        'is an envelope: {"code": 0, "data": …} on success, {"code": <non-zero>, "error": "<slug>", "message": …} ' +
        'on failure.',
    },
    tags: [
      { name: 'auth', description: 'WeChat web OAuth and the session cookie' },
      { name: 'jssdk', description: 'wx.config signatures' },
      { name: 'pay', description: "The user's orders (WeChat Pay JSAPI)" },
      { name: 'notify', description: "WeChat Pay's server-to-server notifies (XML)" },
      { name: 'admin', description: 'Merchant routes (Authorization: Bearer ADMIN_TOKEN)' },
      { name: 'health', description: 'Probes for load balancers and orchestrators' },
      { name: 'meta', description: 'This document' },
    ],
    paths,
    components: {
      schemas: { ApiFailure: schemaOf(apiFailureSchema, 'output') },
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'openId',
          description: 'The signed session cookie set by the OAuth round trip (with its openId.sig).',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      },
    },
  };
}

/** The `ROUTES` key each operation documents (the coverage test compares them with `ROUTES`). */
export function documentedRoutes(): RouteKey[] {
  return OPERATIONS.map((operation) => operation.route);
}

/** Each documented operation's method and path template, for the api's test that every one is really mounted. */
export function documentedOperations(): { method: Method; path: string }[] {
  return OPERATIONS.map(({ method, path }) => ({ method, path }));
}
