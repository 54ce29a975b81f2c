//! `report.html`: one self-contained page per design and one for the comparison, holding what
//! `summary.md` holds, with every value escaped. (How it looks in a browser: `browser.rs`.)

use crate::{design_path, run};

fn html_of(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

/// Text as the page writes it (maud escapes `&`, `<`, `>` and `"`).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// No reference to anything outside the page: no script or style sheet to load, no font.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"), "{page:.200}");
    for bad in [
        "<link",
        " src=",
        "@import",
        "url(",
        "href=\"http",
        "@font-face",
    ] {
        assert!(!page.contains(bad), "the page refers outside itself: {bad}");
    }
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("@media print"), "no print style sheet");
}

#[test]
fn the_page_holds_every_section_and_key_figure_of_summary_md() {
    for rev in ["1.0", "2.0", "4.0", "6.0"] {
        let path = design_path(rev);
        let p = path.to_str().unwrap();
        let md = html_of(&["report", p]);
        let page = html_of(&["report", "--html", p]);
        assert_self_contained(&page);
        // Every table of summary.md, by its title.
        for title in md.lines().filter_map(|l| l.strip_prefix("### ")) {
            assert!(
                page.contains(&escaped(title)),
                "{rev}: report.html lacks the section {title:?}"
            );
        }
        // Every key figure, name and value (a word with a digit is wrapped to stay whole,
        // so compare the words).
        let key = md
            .split("### Key figures")
            .nth(1)
            .and_then(|s| s.split("\n\n").nth(1))
            .unwrap();
        for row in key.lines().skip(2) {
            for cell in row.split(" | ") {
                for word in cell.trim_matches(|c| c == '|' || c == ' ').split(' ') {
                    assert!(
                        page.contains(&escaped(word)),
                        "{rev}: lacks {word:?} of {row}"
                    );
                }
            }
        }
        // The charts are inline SVG, and the key figures come before the first of them.
        let charts = page.matches("<svg").count();
        assert!(charts >= 5, "{rev}: {charts} charts");
        assert!(page.find("id=\"key-figures\"") < page.find("<svg"));
        // Topology, and the binding link of the bandwidth table marked.
        assert!(page.contains("<pre>"), "{rev}: no topology tree");
        assert!(
            page.contains("class=\"bind\""),
            "{rev}: binding link not marked"
        );
    }
}

#[test]
fn every_report_directory_and_the_comparison_has_report_html() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let (a, b) = (design_path("2.0"), design_path("3.0"));
    let (code, _, err) = run(&[
        "report",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for d in ["backblaze-pod-2.0", "backblaze-pod-3.0", "comparison"] {
        let page = std::fs::read_to_string(out.join(d).join("report.html")).unwrap();
        assert_self_contained(&page);
    }
    let cmp = std::fs::read_to_string(out.join("comparison/report.html")).unwrap();
    assert!(cmp.contains("Pod 2.0") && cmp.contains("Pod 3.0"));
    assert!(cmp.contains("What changed in the bill of materials"));
    // --html prints one design's page; for several, --out says where the pages are.
    let (code, _, err) = run(&["report", "--html", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--out"), "{err}");
}

#[test]
fn every_value_from_the_design_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy("designs/catalog.ron", tmp.path().join("catalog.ron")).unwrap();
    let text = std::fs::read_to_string(design_path("2.0")).unwrap();
    let evil = "Pod <script>alert(1)</script> & \\\"co\\\"";
    let text = text.replacen(
        "name: \"Backblaze Storage Pod 2.0\"",
        &format!("name: \"{evil}\""),
        1,
    );
    let text = text.replacen("label: \"Pod 2.0\"", "label: \"<img onerror=x>\"", 1);
    let design = tmp.path().join("evil.ron");
    std::fs::write(&design, text).unwrap();
    let page = html_of(&["report", "--html", design.to_str().unwrap()]);
    assert!(!page.contains("<script>alert"), "unescaped design name");
    assert!(!page.contains("<img"), "unescaped label");
    assert!(page.contains("Pod &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
    assert!(
        page.contains("&lt;img onerror=x&gt;"),
        "the label is in the charts, escaped"
    );
}
