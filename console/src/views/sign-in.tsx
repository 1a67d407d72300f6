import { useState } from 'preact/hooks';

export function SignIn({ error, onKey }: { error: string | null; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <form
      class="sign-in"
      onSubmit={(event) => {
        event.preventDefault();
        if (key.trim()) onKey(key.trim());
      }}
    >
      <h1>Provisio console</h1>
      <label>
        API key
        <input name="apiKey" type="password" autocomplete="off" value={key} onInput={(event) => setKey(event.currentTarget.value)} />
      </label>
      <p class="hint">Kept for this tab only; closing the tab signs you out.</p>
      {error && <p class="error">{error}</p>}
      <button type="submit">Sign in</button>
    </form>
  );
}
