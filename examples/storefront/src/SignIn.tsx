import { useApolloClient } from "@apollo/client/react";
import { useState } from "react";
import { session } from "./session";
import { MERGE } from "./operations";

/** Sign in with a user token (in dev, the one cartql prints at startup); the guest cart
 * folds into the user's cart. */
export function SignIn({ onNotice }: { onNotice: (text: string) => void }) {
  const client = useApolloClient();
  const [token, setToken] = useState("");
  const [signedIn, setSignedIn] = useState(Boolean(session.userToken()));

  async function signIn() {
    // From now on requests carry the user's token; the guest cart, if any, folds in (the
    // session drops the guest token once the merge went through).
    const guestToken = session.signIn(token.trim());
    if (guestToken) {
      const { data } = await client.mutate({ mutation: MERGE, variables: { guestToken } });
      const problems = data?.mergeGuestCart.userErrors ?? [];
      onNotice(problems.map((p) => `${p.code}: ${p.message}`).join(" · "));
    }
    setSignedIn(true);
    // A new identity: refetch everything as the user.
    await client.resetStore();
  }

  async function signOut() {
    session.signOut();
    setSignedIn(false);
    await client.resetStore();
  }

  if (signedIn) {
    return (
      <div className="sign-in">
        <span data-testid="signed-in">Signed in</span> <button onClick={signOut}>Sign out</button>
      </div>
    );
  }
  return (
    <div className="sign-in">
      <input
        data-testid="token"
        placeholder="Paste a user token to sign in"
        value={token}
        onChange={(e) => setToken(e.target.value)}
      />
      <button data-testid="sign-in" disabled={!token.trim()} onClick={signIn}>
        Sign in
      </button>
    </div>
  );
}
