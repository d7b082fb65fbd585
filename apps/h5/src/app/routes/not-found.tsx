import { Link } from 'react-router-dom';
import { useI18n } from '@/shared/i18n/i18n-context';
import { PageState } from '@/shared/components/page-state';
import { useDocumentTitle } from '../use-document-title';

export function NotFoundRoute() {
  const { m } = useI18n();
  useDocumentTitle(m.titles.notFound);
  return (
    <main className="page">
      <PageState
        icon="info"
        title={m.titles.notFound}
        testId="not-found"
        actions={
          <Link className="weui-btn weui-btn_primary" to="/">
            {m.common.backHome}
          </Link>
        }
      >
        <p>{m.notFound.text}</p>
      </PageState>
    </main>
  );
}
