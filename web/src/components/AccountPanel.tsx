import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';
import { AlertForm } from './AlertForm.js';
import { AlertList } from './AlertList.js';
import { AuthForm } from './AuthForm.js';

/** Sign up / log in / log out and price alerts; says so plainly when the server has no accounts. */
export function AccountPanel() {
  const dashboard = useDashboard();
  const account = useUi((s) => s.account);
  let body;
  if (account.available === undefined) body = <p className="muted">Checking for accounts…</p>;
  else if (!account.available)
    body = (
      <p className="muted" data-testid="accounts-unavailable">
        Accounts not available on this server, so alerts are off. Prices, charts and the stream work without an account.
      </p>
    );
  else if (!account.session) body = <AuthForm />;
  else
    body = (
      <>
        <div className="row spread">
          <p>
            Signed in as <strong data-testid="username">{account.session.user.username}</strong>
          </p>
          <button type="button" onClick={() => dashboard.account.signOut()}>
            Log out
          </button>
        </div>
        <AlertForm />
        <AlertList />
      </>
    );
  return (
    <section className="panel account" aria-labelledby="account-title">
      <h2 id="account-title">Account &amp; alerts</h2>
      {account.error && (
        <p className="field-error" role="alert">
          {account.error}
        </p>
      )}
      {body}
    </section>
  );
}
