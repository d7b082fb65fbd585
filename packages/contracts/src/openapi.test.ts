import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, documentedRoutes } from './openapi';
import { ROUTES } from './routes';

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents every route of ROUTES, each once', () => {
    expect([...documentedRoutes()].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('takes its schemas from the zod contracts (the order, the pay request, the failure envelope)', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document walked by the assertions
    const paths = document.paths as Record<string, Record<string, any>>;
    const payWallet = paths['/api/wechat/pay/payWallet']!.post;
    expect(payWallet.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: {
        productId: { type: 'string' },
        quantity: { type: 'integer', minimum: 1, maximum: 99 },
        amountFen: { type: 'integer', minimum: 1 },
      },
      required: ['productId'],
      additionalProperties: false,
    });
    const order = paths['/api/wechat/pay/orders/{outTradeNo}']!.get;
    expect(
      order.responses['200'].content['application/json'].schema.properties.data.properties.status,
    ).toEqual({
      type: 'string',
      enum: ['PENDING', 'PAID', 'CLOSED', 'REFUNDED'],
    });
    expect(order.parameters[0]).toMatchObject({ name: 'outTradeNo', in: 'path', required: true });
    expect(order.responses['404'].content['application/json'].schema.allOf[1]).toEqual({
      properties: { error: { enum: ['order_not_found'] } },
    });
    const orders = paths['/api/wechat/pay/orders']!.get;
    expect(orders.parameters).toEqual([
      expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      expect.objectContaining({ name: 'cursor', in: 'query', required: false }),
    ]);
  });

  // The committed copy is what the frontend team reads: it must be exactly what the contracts generate.
  // After changing a contract, regenerate it: `pnpm --filter @wxh5/contracts openapi`.
  it('matches the committed openapi.json', async () => {
    await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot('../openapi.json');
  });
});
