//! The dashboard: the single-page app built from `web/` (Vite writes `web/dist`),
//! embedded in the binary at compile time and served at `/`. Paths that are not files
//! get `index.html`, so client routes (`/experiments/1`, `/runs/<id>`) load the app;
//! API paths that match no route still answer MLflow's JSON `ENDPOINT_NOT_FOUND`.
//! Built without the assets (no Node at build time), the server answers a page that
//! says how to build them. Mirrors quickwit's `quickwit-serve/src/ui_handler.rs`.

use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;

use crate::api::error::endpoint_not_found;

/// The built dashboard; empty when `web/dist` did not exist at compile time.
#[derive(Embed)]
#[folder = "$CARGO_MANIFEST_DIR/../web/dist/"]
#[allow_missing = true]
struct Assets;

/// Path prefixes that belong to the API, never to the app.
const API_PREFIXES: [&str; 5] = [
    "api/",
    "ajax-api/",
    "get-artifact",
    "model-versions/",
    "health",
];

/// What a browser sees when the binary was built without the dashboard.
const NOT_BUILT_PAGE: &str = "<!doctype html><html><head><title>ferroflow</title></head>\
<body style=\"font-family:system-ui;max-width:40em;margin:4em auto\">\
<h1>ferroflow</h1><p>The dashboard was not built into this binary: <code>web/dist</code> \
did not exist when it was compiled.</p><p>Build it with <code>npm ci &amp;&amp; npm run build</code> \
in <code>web/</code>, then <code>cargo build --release</code> again (or run \
<code>scripts/run</code>, which does both). The REST API under <code>/api/2.0/mlflow</code> \
works without it.</p></body></html>";

/// Serves the dashboard for every request no API route took.
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let is_read = method == Method::GET || method == Method::HEAD;
    if !is_read || API_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return endpoint_not_found(uri).await.into_response();
    }
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        // Vite fingerprints everything under assets/, so those never change.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        return (
            [
                (header::CONTENT_TYPE, mime.as_ref()),
                (header::CACHE_CONTROL, cache),
            ],
            file.data,
        )
            .into_response();
    }
    match Assets::get("index.html") {
        Some(index) => {
            let mut response = Html(index.data).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT_PAGE)).into_response(),
    }
}
