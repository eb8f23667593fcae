"""gql (Python) against a live cartql.

A guest opens a cart (its token comes back as cart.token and goes out as X-Cart-Token),
reads it, adds a line with an Idempotency-Key and sends the same add again under the same
key (cartql replays the first answer: added once), and is refused an unknown SKU as data.
A cartUpdated subscription over graphql-transport-ws gets the cart at once and then the
change a mutation made. A user (Bearer token) folds the guest cart in with mergeGuestCart,
changes it and clears it; a forged token is refused with UNAUTHENTICATED.

    CARTQL_URL         the endpoint (default http://127.0.0.1:8080/graphql)
    CARTQL_USER_TOKEN  a user's JWT, e.g. from `cartql token --user python-smoke`
"""

import asyncio
import os
import uuid

from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

URL = os.environ.get("CARTQL_URL", "http://127.0.0.1:8080/graphql")
WS_URL = URL.replace("http", "ws", 1) + "/ws"  # cartql serves subscriptions at /graphql/ws
USER_TOKEN = os.environ.get("CARTQL_USER_TOKEN")

CART = """
fragment SmokeCart on Cart {
  id token version totalQuantity
  items { nodes { id quantity product { sku } } }
  cost { total { amount currencyCode } }
}
"""


class Credentials:
    """Who the requests go as: a user's Bearer token, else the guest cart's token."""

    def __init__(self, user_token=None):
        self.user_token = user_token
        self.guest_token = None

    def headers(self):
        if self.user_token:
            return {"Authorization": f"Bearer {self.user_token}"}
        if self.guest_token:
            return {"X-Cart-Token": self.guest_token}
        return {}

    def keep_token(self, data):
        """Keeps a guest token that cartql issued (a payload's cart.token)."""
        for payload in data.values():
            cart = payload.get("cart") if isinstance(payload, dict) else None
            if not self.user_token and isinstance(cart, dict) and cart.get("token"):
                self.guest_token = cart["token"]


class Cartql:
    """One HTTP session; credentials and, for mutations, an Idempotency-Key per request."""

    def __init__(self, credentials):
        self.credentials = credentials
        self.transport = AIOHTTPTransport(url=URL)
        self.client = Client(transport=self.transport)

    async def __aenter__(self):
        self.session = await self.client.connect_async()
        return self

    async def __aexit__(self, *exc):
        await self.client.close_async()

    async def query(self, text, **variables):
        request = gql(text)
        request.variable_values = variables or None
        return await self.session.execute(request, extra_args={"headers": self.credentials.headers()})

    async def mutate(self, text, key=None, **variables):
        """Runs a one-field mutation under `key` (a new UUID unless retrying a call).
        Returns the data and whether cartql replayed a stored answer."""
        request = gql(text)
        request.variable_values = variables or None
        headers = {**self.credentials.headers(), "Idempotency-Key": key or str(uuid.uuid4())}
        data = await self.session.execute(request, extra_args={"headers": headers})
        replayed = (self.transport.response_headers or {}).get("Idempotent-Replayed") == "true"
        self.credentials.keep_token(data)
        return data, replayed


def skus(cart):
    return sorted(f"{line['product']['sku']}x{line['quantity']}" for line in cart["items"]["nodes"])


async def next_event(events, what):
    try:
        return await asyncio.wait_for(events.__anext__(), timeout=10)
    except asyncio.TimeoutError:
        raise AssertionError(f"cartUpdated sent nothing within 10 s ({what})") from None


async def main():
    assert USER_TOKEN, "set CARTQL_USER_TOKEN to a user's JWT"
    guest = Credentials()

    async with Cartql(guest) as api:
        # --- A guest cart: the token comes back in cart.token.
        data, _ = await api.mutate(
            "mutation SmokeCreate($items: [CartItemInput!]) {"
            " createCart(items: $items) { cart { ...SmokeCart } userErrors { code message } } }" + CART,
            items=[{"product": {"sku": "DEMO-002"}, "quantity": 1}],
        )
        assert data["createCart"]["userErrors"] == [], data
        assert guest.guest_token and guest.guest_token.startswith("cgt_"), guest.guest_token
        cart_id = data["createCart"]["cart"]["id"]

        # A query with X-Cart-Token finds it.
        data = await api.query("query SmokeCart { cart { ...SmokeCart } }" + CART)
        assert data["cart"]["id"] == cart_id and skus(data["cart"]) == ["DEMO-002x1"], data

        # An add, then the same call again under the same key (a retry after a timeout):
        # the second is the first one's answer replayed, and the line was added once.
        add = (
            "mutation SmokeAdd($input: AddToCartInput!) {"
            " addToCart(input: $input) { cart { ...SmokeCart } userErrors { code field message } } }" + CART
        )
        key = str(uuid.uuid4())
        first, replayed_first = await api.mutate(add, key=key, input={"product": {"sku": "DEMO-003"}, "quantity": 2})
        again, replayed_again = await api.mutate(add, key=key, input={"product": {"sku": "DEMO-003"}, "quantity": 2})
        assert not replayed_first and replayed_again, (replayed_first, replayed_again)
        assert first == again, "a replay is the first answer"
        assert first["addToCart"]["cart"]["totalQuantity"] == 3, first
        data = await api.query("query SmokeCart { cart { ...SmokeCart } }" + CART)
        assert skus(data["cart"]) == ["DEMO-002x1", "DEMO-003x2"], data

        # A refusal is data, with a code; nothing changed.
        data, _ = await api.mutate(add, input={"product": {"sku": "NO-SUCH-SKU"}, "quantity": 1})
        assert [e["code"] for e in data["addToCart"]["userErrors"]] == ["PRODUCT_NOT_FOUND"], data
        assert data["addToCart"]["cart"]["totalQuantity"] == 3, data

        # --- cartUpdated over graphql-transport-ws: the cart at once, then a mutation's change.
        ws = WebsocketsTransport(
            url=WS_URL,
            init_payload={"X-Cart-Token": guest.guest_token},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        async with Client(transport=ws) as live:
            assert ws.subprotocol == "graphql-transport-ws", ws.subprotocol
            events = live.subscribe(gql("subscription SmokeLive { cartUpdated { ...SmokeCart } }" + CART))
            now = await next_event(events, "the cart at once")
            assert now["cartUpdated"]["id"] == cart_id and now["cartUpdated"]["totalQuantity"] == 3, now
            line = next(l for l in now["cartUpdated"]["items"]["nodes"] if l["product"]["sku"] == "DEMO-003")
            data, _ = await api.mutate(
                "mutation SmokeUpdate($input: UpdateCartItemInput!) {"
                " updateCartItem(input: $input) { cart { totalQuantity } userErrors { code } } }",
                input={"itemId": line["id"], "quantity": 4},
            )
            assert data["updateCartItem"]["userErrors"] == [], data
            changed = await next_event(events, "after updateCartItem")
            assert changed["cartUpdated"]["totalQuantity"] == 5, changed
            assert skus(changed["cartUpdated"]) == ["DEMO-002x1", "DEMO-003x4"], changed
            await events.aclose()

    # --- A user: Bearer token; the guest cart folds in, and its token stops working.
    user = Credentials(USER_TOKEN)
    async with Cartql(user) as api:
        data = await api.query("query SmokeCart { cart { ...SmokeCart } }" + CART)
        before = (data["cart"] or {}).get("totalQuantity", 0)
        data, _ = await api.mutate(
            "mutation SmokeMerge($guestToken: String!) {"
            " mergeGuestCart(guestToken: $guestToken, strategy: SUM) { cart { ...SmokeCart } userErrors { code message } } }"
            + CART,
            guestToken=guest.guest_token,
        )
        assert data["mergeGuestCart"]["userErrors"] == [], data
        merged = data["mergeGuestCart"]["cart"]
        assert merged["token"] is None and merged["totalQuantity"] == before + 5, merged

        data, _ = await api.mutate("mutation SmokeClear { clearCart { cart { id } userErrors { code } } }")
        assert data["clearCart"] == {"cart": None, "userErrors": []}, data
        data = await api.query("query SmokeCart { cart { id } }")
        assert data["cart"] is None, data

    async with Cartql(guest) as api:
        data = await api.query("query SmokeCart { cart { id } }")
        assert data["cart"] is None, f"the merged guest token still opens a cart: {data}"

    # A forged Bearer token is refused before execution, with extensions.code.
    async with Cartql(Credentials("not-a-jwt")) as api:
        try:
            await api.query("query SmokeCart { cart { id } }")
        except TransportQueryError as error:
            assert error.errors[0]["extensions"]["code"] == "UNAUTHENTICATED", error.errors
        else:
            raise AssertionError("a forged token was accepted")

    print(f"python smoke: gql guest and user flows, Idempotency-Key replay and cartUpdated against {URL}, all as expected")


if __name__ == "__main__":
    asyncio.run(main())
