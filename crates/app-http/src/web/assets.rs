//! The stylesheet and the script, compiled into the binary and served under names that carry
//! their content hash, so browsers may keep them for a year.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

struct Asset {
    url: String,
    etag: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

impl Asset {
    fn new(stem: &str, ext: &str, content_type: &'static str, bytes: &'static [u8]) -> Self {
        let hash = hex::encode(&Sha256::digest(bytes)[..8]);
        Self {
            url: format!("/assets/{stem}.{hash}.{ext}"),
            etag: format!("\"{hash}\""),
            content_type,
            bytes,
        }
    }
}

static CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/app.css"),
    )
});
static JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "app",
        "js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app.js"),
    )
});

pub fn css_url() -> &'static str {
    &CSS.url
}

pub fn js_url() -> &'static str {
    &JS.url
}

#[get("/assets/{file}")]
pub async fn handle(req: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let Some(asset) = [&*CSS, &*JS]
        .into_iter()
        .find(|a| a.url.rsplit('/').next() == Some(file.as_str()))
    else {
        return HttpResponse::NotFound().finish();
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == asset.etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, asset.etag.clone()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .content_type(asset.content_type);
    if fresh {
        response.finish()
    } else {
        response.body(asset.bytes)
    }
}
