//! GraphiQL, served from the binary.
//!
//! A pinned build (GraphiQL 3.8.3 on React 18.3.1, vendored under `assets/graphiql/`) so the
//! page works offline and under a strict Content Security Policy: every script and style is
//! a file of this server, and the page's settings travel as a JSON data block, not as inline
//! script. Off in production.

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

/// Where the assets are served; `/graphiql/<file>`.
const ASSET_ROOT: &str = "/graphiql";

/// The vendored files keep their version in their names, so browsers may cache them for
/// good; cartql's own two files are revalidated.
const ASSETS: &[Asset] = &[
    Asset::vendored(
        "react-18.3.1.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react-18.3.1.min.js"),
    ),
    Asset::vendored(
        "react-dom-18.3.1.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react-dom-18.3.1.min.js"),
    ),
    Asset::vendored(
        "graphiql-3.8.3.min.js",
        JS,
        include_bytes!("../../assets/graphiql/graphiql-3.8.3.min.js"),
    ),
    Asset::vendored(
        "graphiql-3.8.3.min.css",
        CSS,
        include_bytes!("../../assets/graphiql/graphiql-3.8.3.min.css"),
    ),
    Asset::own(
        "cartql-graphiql.js",
        JS,
        include_bytes!("../../assets/graphiql/cartql-graphiql.js"),
    ),
    Asset::own(
        "cartql-graphiql.css",
        CSS,
        include_bytes!("../../assets/graphiql/cartql-graphiql.css"),
    ),
];

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Only this server's scripts and endpoint, no inline script, nothing framed. Styles may be
/// inline: GraphiQL's editor and menus set style attributes and add small style elements as
/// they lay themselves out (their content varies with the browser, so hashes cannot list
/// them). A style cannot run code, and with every image, font and connection limited to this
/// server it cannot send anything elsewhere either.
pub const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The operations GraphiQL opens with, in the order a newcomer runs them (a test runs them
/// so against the demo catalog).
pub const EXAMPLE: &str = r#"# Welcome to cartql. Run an operation with ▶.
# Headers (below) hold your credentials: a dev
# token in dev mode. Without one you are a guest,
# and createCart returns a token to send as
# X-Cart-Token.

query Products {
  products(first: 5) {
    edges { node { id sku name effectivePrice { formatted } stock requiredAttributes } }
  }
}

query MyCart {
  cart {
    id version itemCount totalQuantity
    items { nodes { id quantity product { sku name } subtotal { formatted } } }
    cost { subtotal { formatted } estimatedTax { formatted } total { formatted } }
    warnings { code message }
  }
}

mutation AddDemoItem {
  addToCart(input: { product: { sku: "DEMO-002" }, quantity: 1 }) {
    cart { version totalQuantity cost { total { formatted } } }
    userErrors { code field message }
    warnings { code message }
  }
}

mutation ApplyWelcomeCode {
  applyDiscountCode(code: "welcome10") {
    cart { discountCodes { code state } cost { promotionDiscount { formatted } total { formatted } } }
    userErrors { code message }
    warnings { message }
  }
}

mutation ShipToOntario {
  updateBuyerIdentity(input: { email: "ada@example.com", countryCode: "CA", provinceCode: "ON" }) {
    cart {
      deliveryOptions { handle title cost { formatted } }
      cost { taxLines { title rate amount { formatted } } total { formatted } }
    }
    userErrors { code field message }
  }
}

mutation ChooseExpress {
  selectDeliveryOption(handle: "express") {
    cart { selectedDeliveryOption { title } cost { shipping { formatted } total { formatted } } }
    userErrors { code field message }
  }
}

mutation BeginCheckout {
  beginCheckout {
    checkout { id status expiresAt totals { total { formatted } } handoffToken }
    userErrors { code field message }
  }
}
"#;

/// The GraphiQL page, rendered once at startup.
#[derive(Clone, Debug)]
pub struct GraphiqlPage {
    html: String,
}

impl GraphiqlPage {
    /// The page for `endpoint`, opening with `headers` (a JSON object as text) in its Headers
    /// tab: the dev user's token in dev mode, nothing otherwise.
    pub fn new(endpoint: &str, headers: Option<String>) -> Self {
        let settings = json!({
            "endpoint": endpoint,
            "query": EXAMPLE,
            "headers": headers.unwrap_or_default(),
        });
        // `<` is escaped so that no value can close the data block.
        let settings = settings.to_string().replace('<', "\\u003c");
        let asset = |name: &str| format!("{ASSET_ROOT}/{name}");
        let html = format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cartql · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{own_css}">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="cartql-settings" type="application/json">{settings}</script>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script src="{own_js}"></script>
</body>
</html>
"#,
            css = asset("graphiql-3.8.3.min.css"),
            own_css = asset("cartql-graphiql.css"),
            react = asset("react-18.3.1.min.js"),
            react_dom = asset("react-dom-18.3.1.min.js"),
            graphiql = asset("graphiql-3.8.3.min.js"),
            own_js = asset("cartql-graphiql.js"),
        );
        Self { html }
    }

    /// The page, with its Content Security Policy.
    pub fn response(&self) -> Response {
        (
            [
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(PAGE_POLICY),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            Html(self.html.clone()),
        )
            .into_response()
    }
}

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    cache: &'static str,
}

impl Asset {
    const fn vendored(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Self {
            name,
            content_type,
            body,
            cache: "public, max-age=31536000, immutable",
        }
    }

    const fn own(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Self {
            name,
            content_type,
            body,
            cache: "no-cache",
        }
    }
}

/// `GET /graphiql/{file}`: one of the page's files.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|asset| asset.name == file) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, asset.cache),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
