// Who the storefront calls cartql as: a signed-in user's token, or the guest cart's token
// that cartql issued with the first add. Kept in localStorage so a reload keeps the cart.
const USER = "cartql.userToken";
const GUEST = "cartql.guestToken";

export const credentials = {
  user: () => localStorage.getItem(USER),
  guest: () => localStorage.getItem(GUEST),
  signIn: (token: string) => localStorage.setItem(USER, token),
  signOut: () => localStorage.removeItem(USER),
  keepGuest: (token: string) => localStorage.setItem(GUEST, token),
  forgetGuest: () => localStorage.removeItem(GUEST),
  /** The headers of the next request: the user's token wins over the guest's. */
  headers(): Record<string, string> {
    const user = this.user();
    if (user) return { Authorization: `Bearer ${user}` };
    const guest = this.guest();
    return guest ? { "X-Cart-Token": guest } : {};
  },
};
