import { Suspense, lazy } from 'react';
import { Outlet, Route, Routes } from 'react-router-dom';
import { SessionGate } from '@/features/auth/components/session-gate';
import { useI18n } from '@/shared/i18n/i18n-context';
import { Loading } from '@/shared/components/page-state';
import { isWechatUserAgent } from '@/wechat/platform';
import { NotFoundRoute } from './routes/not-found';

// Route-level code splitting keeps the first download (React, the router, the session check) under the 90 KB
// gzip budget. The home page's code (product list, JS-SDK) starts downloading at boot, in parallel with the
// session check, so the landing page does not wait for a second round trip; the product page (the next step of
// nearly every visit, and the page a shared product link lands on) is fetched alongside it. The order pages load
// on demand, and so does the "open in WeChat" page with its QR code library, which a WeChat user never downloads.
const loadHome = () => import('./routes/home');
const loadProduct = () => import('./routes/product');
void loadHome();
void loadProduct();
const HomeRoute = lazy(loadHome);
const ProductRoute = lazy(loadProduct);
const OrdersRoute = lazy(() => import('./routes/orders'));
const OrderRoute = lazy(() => import('./routes/order'));
const NotInWechatRoute = lazy(() => import('./routes/not-in-wechat'));

function SignedInLayout() {
  const { m } = useI18n();
  // Outside WeChat the login would only end on WeChat's "open this in WeChat" error page: say so here instead,
  // with a QR code to scan. (The demo's emulator bridge makes the browser look like WeChat.)
  if (!isWechatUserAgent(navigator.userAgent)) {
    return (
      <main className="page">
        <Suspense fallback={<Loading label={m.common.loading} />}>
          <NotInWechatRoute />
        </Suspense>
      </main>
    );
  }
  return (
    <SessionGate>
      <main className="page">
        <Suspense fallback={<Loading label={m.common.loading} />}>
          <Outlet />
        </Suspense>
      </main>
    </SessionGate>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<SignedInLayout />}>
        <Route index element={<HomeRoute />} />
        <Route path="products/:productId" element={<ProductRoute />} />
        <Route path="orders" element={<OrdersRoute />} />
        <Route path="orders/:outTradeNo" element={<OrderRoute />} />
      </Route>
      <Route path="*" element={<NotFoundRoute />} />
    </Routes>
  );
}
