import { useI18n } from '@/shared/i18n/i18n-context';
import { useUser } from '../session-context';

/** Avatar and nickname of the signed-in user; base-scope users have neither, so they get a placeholder. */
export function UserCard() {
  const user = useUser();
  const { m } = useI18n();
  const nickname = user.nickname || m.user.fallbackNickname;
  return (
    <section className="weui-cells" data-testid="user-card">
      <div className="weui-cell">
        <div className="weui-cell__hd">
          {user.avatarUrl ? (
            <img
              className="user-avatar"
              src={user.avatarUrl}
              alt=""
              width={48}
              height={48}
              data-testid="user-avatar"
            />
          ) : (
            <span className="user-avatar" aria-hidden="true" data-testid="user-avatar">
              {nickname.slice(0, 1)}
            </span>
          )}
        </div>
        <div className="weui-cell__bd">
          <p className="user-name" data-testid="user-nickname">
            {nickname}
          </p>
          <p className="weui-cell__desc">
            {m.user.signedIn} · <span className="mono">{maskOpenId(user.openId)}</span>
          </p>
        </div>
      </div>
    </section>
  );
}

/** `oAbc…wxyz`: enough to tell accounts apart without putting the whole openid on screen. */
function maskOpenId(openId: string): string {
  return openId.length > 10 ? `${openId.slice(0, 4)}…${openId.slice(-4)}` : openId;
}
