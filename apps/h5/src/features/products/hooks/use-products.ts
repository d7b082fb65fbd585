import { useCallback, useEffect, useState } from 'react';
import type { ProductView } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { listProducts } from '../api/list-products';

export type ProductsState =
  { kind: 'loading' } | { kind: 'loaded'; products: ProductView[] } | { kind: 'error'; error: unknown };

/** The products on sale, loaded once per page (and again on `reload`, after a failure). */
export function useProducts(): { state: ProductsState; reload: () => void } {
  const client = useApiClient();
  const [state, setState] = useState<ProductsState>({ kind: 'loading' });
  const [round, setRound] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ kind: 'loading' });
    listProducts(client, controller.signal).then(
      ({ products }) => setState({ kind: 'loaded', products }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ kind: 'error', error });
      },
    );
    return () => controller.abort();
  }, [client, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { state, reload };
}
