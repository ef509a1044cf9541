import { useState, type FormEvent } from 'react';
import { useDashboard } from '../hooks/context.js';
import { useUi } from '../hooks/useUi.js';

export function AuthForm() {
  const dashboard = useDashboard();
  const busy = useUi((s) => s.account.busy);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submit = (kind: 'login' | 'register') => (event?: FormEvent) => {
    event?.preventDefault();
    void dashboard.account.signIn(kind, username.trim(), password);
  };
  return (
    <form className="auth" onSubmit={submit('login')}>
      <div className="field">
        <label htmlFor="auth-username">Username</label>
        <input id="auth-username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
      </div>
      <div className="field">
        <label htmlFor="auth-password">Password</label>
        <input id="auth-password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </div>
      <div className="row">
        <button type="submit" disabled={busy || !username || !password}>
          Log in
        </button>
        <button type="button" disabled={busy || !username || !password} onClick={() => submit('register')()}>
          Sign up
        </button>
      </div>
    </form>
  );
}
