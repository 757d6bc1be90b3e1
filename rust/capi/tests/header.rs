//! The committed header `include/wagerkit.h` is what cbindgen makes from this crate today.
//!
//! CI runs this test, so a change to the C ABI that forgets the header fails the build.
//! `WAGERKIT_BLESS_HEADER=1` rewrites the header instead of comparing.

use std::path::PathBuf;

#[test]
fn committed_header_matches_the_crate() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../../include/wagerkit.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("rust/capi/cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen reads the crate");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    if std::env::var_os("WAGERKIT_BLESS_HEADER").is_some() {
        std::fs::write(&header, &fresh).expect("include/wagerkit.h is writable");
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/wagerkit.h is stale: run `WAGERKIT_BLESS_HEADER=1 cargo test -p wagerkit-capi \
         --test header` and commit the header"
    );
}
