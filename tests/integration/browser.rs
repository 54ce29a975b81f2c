//! Every `report.html` in a real browser: headless Chromium opens each page at 1280 px, takes
//! a screenshot and a PDF print, and the test fails on a console message or script error, a
//! request for anything outside the page, a page wider than the window, or key figures (and
//! the top of the charts) below the fold.
//!
//! The browser is Chromium from Debian's `chromium` package (or `PODPLAN_BROWSER`). Without
//! one the test says on standard error that it was skipped, unless `PODPLAN_REQUIRE_BROWSER=1`
//! (set by `.ci/run`), which makes a missing browser a failure. Screenshots and PDFs are kept
//! in `$CARGO_TARGET_TMPDIR/browser/` to be looked at.

use crate::run;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Window size of every check.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 800;

/// Records, once the page has loaded, what the checks need, in an attribute of `<html>` that
/// `--dump-dom` prints: errors and console errors from the first script on, the widths, where
/// the key figures end and the charts start, and how many resources the page fetched.
const PROBE: &str = r#"<script>
(function(){var errs=[];
window.addEventListener("error",function(e){errs.push("error: "+(e.message||e.type))},true);
document.addEventListener("securitypolicyviolation",function(e){errs.push("CSP: "+e.violatedDirective+" "+e.blockedURI)});
var ce=console.error;console.error=function(){errs.push("console.error: "+Array.from(arguments).join(" "));ce.apply(console,arguments)};
window.addEventListener("load",function(){
var k=document.getElementById("key-figures"),c=document.getElementById("charts");
document.documentElement.setAttribute("data-podplan-check",JSON.stringify({errors:errs,
scrollWidth:document.documentElement.scrollWidth,innerWidth:innerWidth,innerHeight:innerHeight,
keyBottom:k?k.getBoundingClientRect().bottom:-1,chartsTop:c?c.getBoundingClientRect().top:-1,
svgs:document.querySelectorAll("figure svg").length,
resources:performance.getEntriesByType("resource").map(function(r){return r.name})}));});})();
</script>"#;

/// The browser to use: `PODPLAN_BROWSER`, else the first of the usual names on the `PATH`.
fn browser() -> Option<PathBuf> {
    if let Some(b) = std::env::var_os("PODPLAN_BROWSER") {
        return Some(PathBuf::from(b));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |n| d.join(n))
        })
        .find(|p| p.is_file())
}

/// Runs the browser headless on `page` with `args`; returns (stdout, stderr).
fn chromium(exe: &Path, profile: &Path, page: &Path, args: &[String]) -> (String, String) {
    let out = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--window-size={WIDTH},{HEIGHT}"),
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The probe's record in the dumped DOM.
fn record(dom: &str) -> serde_json::Value {
    let start = dom
        .find("data-podplan-check=\"")
        .map(|i| i + "data-podplan-check=\"".len())
        .unwrap_or_else(|| panic!("the page never finished loading: {dom:.400}"));
    let end = dom[start..].find('"').map(|i| start + i).unwrap();
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap()
}

/// Width and height of a PNG, from its header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Everything wrong with one page, as sentences (empty: the page passes).
fn check_page(exe: &Path, page: &Path, shots: &Path, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let profile = tempfile::tempdir().unwrap();
    // The page with the probe as the first thing in <head>, beside the original.
    let html = std::fs::read_to_string(page).unwrap();
    let probed = page.with_file_name("probed.html");
    std::fs::write(
        &probed,
        html.replacen("<head>", &format!("<head>{PROBE}"), 1),
    )
    .unwrap();
    let (dom, log) = chromium(exe, profile.path(), &probed, &["--dump-dom".into()]);
    std::fs::remove_file(&probed).unwrap();
    let r = record(&dom);
    for e in r["errors"].as_array().unwrap() {
        problems.push(format!("script error: {e}"));
    }
    for l in log.lines().filter(|l| l.contains(":CONSOLE")) {
        problems.push(format!("console: {l}"));
    }
    let resources = r["resources"].as_array().unwrap();
    if !resources.is_empty() {
        problems.push(format!(
            "fetched {resources:?}: the page is not self-contained"
        ));
    }
    let (sw, iw, ih) = (
        r["scrollWidth"].as_f64().unwrap(),
        r["innerWidth"].as_f64().unwrap(),
        r["innerHeight"].as_f64().unwrap(),
    );
    if sw > iw {
        problems.push(format!("the page is {sw} px wide in a {iw} px window"));
    }
    let key = r["keyBottom"].as_f64().unwrap();
    if !(0.0..=ih).contains(&key) {
        problems.push(format!(
            "the key figures end at {key} px, below the fold at {ih} px"
        ));
    }
    let charts = r["chartsTop"].as_f64().unwrap();
    if !(0.0..ih).contains(&charts) || r["svgs"].as_u64().unwrap() == 0 {
        problems.push(format!(
            "the charts start at {charts} px, below the fold at {ih} px"
        ));
    }
    let png = shots.join(format!("{name}.png"));
    chromium(
        exe,
        profile.path(),
        page,
        &[format!("--screenshot={}", png.display())],
    );
    match std::fs::read(&png) {
        Ok(b) if png_size(&b) == (WIDTH, HEIGHT) => {}
        Ok(b) => problems.push(format!("screenshot is {:?}", png_size(&b))),
        Err(e) => problems.push(format!("no screenshot: {e}")),
    }
    let pdf = shots.join(format!("{name}.pdf"));
    chromium(
        exe,
        profile.path(),
        page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    match std::fs::read(&pdf) {
        Ok(b) if b.starts_with(b"%PDF-") && b.len() > 10_000 => {}
        Ok(b) => problems.push(format!("the PDF print is {} bytes", b.len())),
        Err(e) => problems.push(format!("no PDF print: {e}")),
    }
    problems
}

#[test]
fn every_html_report_reads_well_in_a_real_browser() {
    let Some(exe) = browser() else {
        assert!(
            std::env::var_os("PODPLAN_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
            "PODPLAN_REQUIRE_BROWSER=1 but no browser: install Debian's chromium or set PODPLAN_BROWSER"
        );
        // Straight to standard error, past the test harness's capture, so a plain
        // `cargo test` says so.
        let _ = writeln!(
            std::io::stderr(),
            "browser::every_html_report_reads_well_in_a_real_browser: SKIPPED, no chromium on the PATH (set PODPLAN_REQUIRE_BROWSER=1 to make this a failure)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("reports");
    let mut args = vec!["report".to_string()];
    args.extend(
        ["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"]
            .iter()
            .map(|r| crate::design_path(r).display().to_string()),
    );
    args.extend(["--out".into(), out.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run(&argv);
    assert_eq!(code, 0, "{err}");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().join("report.html"))
        .collect();
    pages.sort();
    assert_eq!(pages.len(), 8, "seven designs and the comparison");
    let mut problems = Vec::new();
    for page in &pages {
        let name = page
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for p in check_page(&exe, page, &shots, &name) {
            problems.push(format!("{name}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
