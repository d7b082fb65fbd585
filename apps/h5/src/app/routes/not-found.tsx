import { Link } from 'react-router-dom';
import { PageState } from '@/shared/components/page-state';
import { useDocumentTitle } from '../use-document-title';

export function NotFoundRoute() {
  useDocumentTitle('Not found');
  return (
    <main className="page">
      <PageState
        icon="info"
        title="Page not found"
        testId="not-found"
        actions={
          <Link className="btn btn--primary" to="/">
            Go to the home page
          </Link>
        }
      >
        <p>There is nothing at this address.</p>
      </PageState>
    </main>
  );
}
