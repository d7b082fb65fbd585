import { Suspense, lazy } from 'react';
import { Outlet, Route, Routes } from 'react-router-dom';
import { SessionGate } from '@/features/auth/components/session-gate';
import { Loading } from '@/shared/components/page-state';
import { NotFoundRoute } from './routes/not-found';

// Route-level code splitting keeps the first download (React, the router, the session check) under the 90 KB
// gzip budget. The home page's code (pay form, JS-SDK) starts downloading at boot, in parallel with the session
// check, so the landing page does not wait for a second round trip; the order pages load on demand.
const loadHome = () => import('./routes/home');
void loadHome();
const HomeRoute = lazy(loadHome);
const OrdersRoute = lazy(() => import('./routes/orders'));
const OrderRoute = lazy(() => import('./routes/order'));

function SignedInLayout() {
  return (
    <SessionGate>
      <main className="page">
        <Suspense fallback={<Loading label="Loading…" />}>
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
        <Route path="orders" element={<OrdersRoute />} />
        <Route path="orders/:outTradeNo" element={<OrderRoute />} />
      </Route>
      <Route path="*" element={<NotFoundRoute />} />
    </Routes>
  );
}
