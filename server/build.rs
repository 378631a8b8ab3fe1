//! Rebuilds the server when the dashboard's built assets (`web/dist`, embedded by
//! `src/web.rs`) change or first appear.

fn main() {
    let dist = std::path::Path::new("../web/dist");
    // Watching web/ while dist/ is missing notices the first build of the dashboard.
    let watched = if dist.exists() {
        "../web/dist"
    } else {
        "../web"
    };
    println!("cargo:rerun-if-changed={watched}");
}
