import { NotInWechat } from '@/features/not-in-wechat/components/not-in-wechat';
import { useI18n } from '@/shared/i18n/i18n-context';
import { useDocumentTitle } from '../use-document-title';

/** Lazy: only a browser that is not WeChat downloads this page and its QR code library. */
export default function NotInWechatRoute() {
  const { m } = useI18n();
  useDocumentTitle(m.titles.notInWechat);
  return <NotInWechat />;
}
