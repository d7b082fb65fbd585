import { useUser } from '../session-context';

/** Avatar and nickname of the signed-in user; base-scope users have neither, so they get a placeholder. */
export function UserCard() {
  const user = useUser();
  const nickname = user.nickname || 'WeChat user';
  return (
    <section className="card user-card" data-testid="user-card">
      {user.avatarUrl ? (
        <img
          className="user-card__avatar"
          src={user.avatarUrl}
          alt=""
          width={56}
          height={56}
          data-testid="user-avatar"
        />
      ) : (
        <span
          className="user-card__avatar user-card__avatar--empty"
          aria-hidden="true"
          data-testid="user-avatar"
        >
          {nickname.slice(0, 1)}
        </span>
      )}
      <div className="user-card__text">
        <p className="user-card__name" data-testid="user-nickname">
          {nickname}
        </p>
        <p className="user-card__meta">
          Signed in with WeChat · <span className="mono">{maskOpenId(user.openId)}</span>
        </p>
      </div>
    </section>
  );
}

/** `oAbc…wxyz`: enough to tell accounts apart without putting the whole openid on screen. */
function maskOpenId(openId: string): string {
  return openId.length > 10 ? `${openId.slice(0, 4)}…${openId.slice(-4)}` : openId;
}
