//! `report.html`: a design's report, or a comparison, as one self-contained HTML page a buyer
//! opens in a browser or forwards.
//!
//! This module owns the page: its outline (key figures and charts first, then topology,
//! layout and capacity, bill of materials, cost, bandwidth, durability, power), its inline
//! style sheet (with a print style sheet) and a few lines of inline script that make tables
//! sortable. It computes nothing: the tables are the same [`Section`]s `summary.md` is made
//! of, the charts the same SVG the report directory holds, inlined. The page is built with
//! maud, which HTML-escapes every value; the only unescaped text is the style sheet, the
//! script (constants below) and the SVG that plotters writes (which escapes its own text).
//! Nothing is loaded from anywhere: a Content-Security-Policy forbids it, so a page that
//! tried would show an error in the browser's console (the browser test fails on one).

use crate::render::report::{self, Chart, ReportError};
use crate::render::{self, Section, Style};
use crate::study::{Comparison, DesignReport};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Nothing but the page itself: inline style and script, images from `data:` only.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// The style sheet, screen and print.
const CSS: &str = r#"
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--alt:#f6f8fa;--accent:#0b5394;--red:#b42318;--redbg:#fdeceb}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff;margin:0 auto;max-width:1240px;padding:12px 24px 40px}
h1{font-size:1.6em;margin:.2em 0 .1em;line-height:1.2}
h2{font-size:1.3em;margin:1.6em 0 .4em;padding-bottom:.15em;border-bottom:2px solid var(--line)}
h3{font-size:1.02em;margin:1.2em 0 .35em}
p{margin:.35em 0}
.intro{color:var(--muted);font-size:.9em;margin:0 0 .4em}
nav{font-size:.9em;margin:.2em 0 .6em}
nav a{margin-right:.9em;white-space:nowrap}
a{color:var(--accent)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:13.5px;margin:0 0 .3em;font-variant-numeric:tabular-nums}
th,td{padding:3px 9px;border-bottom:1px solid var(--line);vertical-align:top;text-align:left}
thead th{background:var(--alt);border-bottom:2px solid var(--line);font-weight:600}
.num{text-align:right}
.nw{white-space:nowrap}
td.bind{color:var(--red);font-weight:600}
tbody tr:nth-child(even) td{background:#fbfcfd}
tr.binding td{background:var(--redbg)!important}
tr.binding td:first-child{box-shadow:inset 3px 0 0 var(--red)}
table.key{font-size:14.5px;width:100%}
table.key caption{text-align:left;font-weight:600;font-size:1.05em;padding:2px 0 4px}
table.key th{white-space:nowrap;font-weight:600;padding-right:18px}
table.key tbody tr:nth-child(even) td,table.key tbody tr:nth-child(even) th{background:var(--alt)}
table.sortable thead th{cursor:pointer}
table.sortable thead th[data-dir=a]::after{content:" \25B2"}
table.sortable thead th[data-dir=d]::after{content:" \25BC"}
.note{color:var(--muted);font-size:.88em;max-width:70em}
pre{overflow-x:auto;background:var(--alt);border:1px solid var(--line);padding:8px 10px;font:12px/1.3 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(520px,100%),1fr));gap:10px 18px;margin:.6em 0}
figure{margin:0}
figure svg{display:block;width:100%;height:auto;border:1px solid var(--line)}
figcaption{font-size:.85em;color:var(--muted);margin:.15em 0 0}
.compact h3{margin-top:.4em}
.compact td,.compact th{padding:2px 9px}
.compact td:first-child{white-space:nowrap}
details{margin:.4em 0}
summary{cursor:pointer}
summary b{color:var(--red)}
footer{margin-top:2em;color:var(--muted);font-size:.85em}
@media print{
@page{size:A4;margin:12mm}
body{max-width:none;padding:0;font-size:9.5pt}
nav,footer .screen{display:none}
h2{break-after:avoid;page-break-after:avoid;margin-top:1.1em}
h3{break-after:avoid;page-break-after:avoid}
.scroll{overflow:visible}
table{font-size:7.8pt;width:100%}
table.key{font-size:9pt}
th,td{padding:1.5pt 4pt}
thead{display:table-header-group}
tr,figure,pre{break-inside:avoid;page-break-inside:avoid}
tbody tr:nth-child(even) td{background:none}
pre{white-space:pre-wrap;word-break:break-all;font-size:6.8pt;overflow:visible}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:6pt}
table.sortable thead th::after{content:none!important}
a{color:inherit;text-decoration:none}
details>summary{display:none}
}
"#;

/// Sortable tables (click a header; again to reverse) and every `<details>` opened for
/// printing. The page reads the same without it.
const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable thead th").forEach(function(th){
  th.tabIndex=0;th.title="Sort by this column";
  function sort(){
    var t=th.closest("table"),b=t.tBodies[0],i=th.cellIndex,d=th.dataset.dir==="a"?"d":"a";
    t.querySelectorAll("thead th").forEach(function(h){delete h.dataset.dir});th.dataset.dir=d;
    function key(r){var s=r.cells[i]?r.cells[i].textContent.trim():"";
      var n=parseFloat(s.replace(/[$,%\s]/g,"").replace("\u2212","-"));return isNaN(n)?s.toLowerCase():n}
    Array.from(b.rows).sort(function(x,y){var p=key(x),q=key(y);
      var c=typeof p===typeof q?(p<q?-1:p>q?1:0):(typeof p==="number"?-1:1);return d==="a"?c:-c})
      .forEach(function(r){b.appendChild(r)});
  }
  th.addEventListener("click",sort);
  th.addEventListener("keydown",function(e){if(e.key==="Enter"||e.key===" "){e.preventDefault();sort()}});
});
window.addEventListener("beforeprint",function(){document.querySelectorAll("details").forEach(function(d){d.open=true})});
"#;

/// A chart as inline SVG with its caption.
struct Figure {
    svg: String,
    caption: String,
}

/// An anchor name for a heading: lowercase letters and digits, the rest `-`.
fn anchor(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A cell's text; a line break in a cell is a `<br>`, and a word with a digit in it (a
/// number, a bay list, a date) is kept whole: the browser would otherwise break `16-30` or
/// `2009-10` at the hyphen.
fn cell(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            @for (j, word) in line.split(' ').enumerate() {
                @if j > 0 { " " }
                @if word.chars().any(|c| c.is_ascii_digit()) && word.chars().count() <= 24 {
                    span.nw { (word) }
                } @else {
                    (word)
                }
            }
        }
    }
}

/// Whether a row is a binding link's (the bandwidth tables mark it "binds").
fn binds(row: &[String]) -> bool {
    row.iter().any(|c| c.ends_with("binds"))
}

/// The classes of column `i`'s cells: `num` (right-aligned), `bind` (the binding link).
fn cell_class(s: &Section, i: usize) -> Option<&'static str> {
    let c = s.columns.get(i)?;
    match (c.right, c.name == "Binding link") {
        (true, true) => Some("num bind"),
        (true, false) => Some("num"),
        (false, true) => Some("bind"),
        (false, false) => None,
    }
}

/// One section as a titled table (sortable when it has rows enough to sort), then its notes.
fn table(s: &Section) -> Markup {
    let sortable = s.rows.len() > 2 && s.columns.len() > 2;
    html! {
        h3 id=(anchor(&s.title)) { (s.title) }
        div.scroll {
            table.sortable[sortable] {
                thead { tr { @for c in &s.columns { th.num[c.right] scope="col" { (c.name) } } } }
                tbody {
                    @for r in &s.rows {
                        tr.binding[binds(r)] {
                            @for (i, text) in r.iter().enumerate() {
                                td class=[cell_class(s, i)] { (cell(text)) }
                            }
                        }
                    }
                }
            }
        }
        @for n in &s.notes { p.note { (cell(n)) } }
    }
}

fn tables(sections: &[Section]) -> Markup {
    html! { @for s in sections { (table(s)) } }
}

/// The key figures: a two-column table with the figure's name as the row header.
fn key_table(s: &Section) -> Markup {
    html! {
        div.scroll {
            table.key id="key-figures" {
                caption { (s.title) }
                tbody {
                    @for r in &s.rows {
                        tr {
                            th scope="row" { (r.first().map_or("", String::as_str)) }
                            td { @for v in r.iter().skip(1) { (cell(v)) } }
                        }
                    }
                }
            }
        }
    }
}

fn charts(figures: &[Figure]) -> Markup {
    html! {
        div.charts id="charts" {
            @for f in figures {
                // The chart's title is drawn in the SVG; the label names it for screen readers.
                figure role="img" aria-label=(f.caption) {
                    (PreEscaped(&f.svg))
                }
            }
        }
    }
}

/// The page around a body: head with the style sheet, the title, the script at the end.
fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content="podplan";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (body)
                footer {
                    "Generated by podplan. "
                    span.screen { "Click a column header to sort a table; printing gives a tidy PDF." }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
        + "\n"
}

/// Charts as inline SVG, each with its caption.
fn figures(charts: &[(String, Chart)]) -> Result<Vec<Figure>, ReportError> {
    charts
        .iter()
        .map(|(name, c)| {
            Ok(Figure {
                svg: report::chart_svg(name, c)?,
                caption: report::chart_title(c).to_string(),
            })
        })
        .collect()
}

/// The HTML report of one design: every figure of `summary.md`, the charts inline.
pub(crate) fn design_html(r: &DesignReport) -> Result<String, ReportError> {
    let title = match &r.show.revision {
        Some(v) => format!("{} (revision {v})", r.show.design),
        None => r.show.design.clone(),
    };
    let figs = figures(&report::design_charts(r))?;
    let nav = [
        ("Charts", "charts"),
        ("Topology", "topology"),
        ("Layout and capacity", "layout"),
        ("Bill of materials", "bom"),
        ("Cost", "cost"),
        ("Bandwidth", "bandwidth"),
        ("Durability", "durability"),
        ("Power", "power"),
        ("Measured", "measured"),
    ];
    let has_durability = r.durability.is_some();
    let measured = report::measured_section(r);
    let body = html! {
        header {
            h1 { (title) }
            p.intro {
                "From " code { (r.show.file) } ". Capacities in decimal TB (10^12 B) and binary TiB (2^40 B); money in "
                (r.bom.currency) "; rates in MB/s (10^6 B/s)."
            }
            nav {
                @for (name, id) in nav {
                    @if (id != "durability" || has_durability) && (id != "measured" || measured.is_some()) { a href=(format!("#{id}")) { (name) } }
                }
            }
        }
        main {
            (key_table(&report::key_figures(r)))
            (charts(&figs))
            h2 id="topology" { "Topology" }
            pre { (render::tree_text(&r.show.tree)) }
            (table(&render::show::summary_section(&r.show)))
            h2 id="layout" { "Layout and capacity" }
            (tables(&render::layout_sections(&r.layout)))
            h2 id="bom" { "Bill of materials" }
            (tables(&render::bom::bom_sections(&r.bom, render::bom::Style::Read)))
            h2 id="cost" { "Cost" }
            (tables(&render::bom::cost_sections(&r.bom, render::bom::Style::Read)))
            h2 id="bandwidth" { "Bandwidth" }
            (tables(&report::bandwidth_overview(r)))
            @for b in &r.bandwidth {
                details {
                    summary { "Every link, workload " strong { (b.workload.name()) } ": " b { (b.summary.binding.to_string()) } " binds" }
                    (tables(&render::bandwidth::sections(b, Style::Read)))
                }
            }
            @if let Some(d) = &r.durability {
                h2 id="durability" { "Durability" }
                (tables(&render::durability::sections(d, Style::Read)))
            }
            h2 id="power" { "Power" }
            (table(&render::show::power_section(&r.show)))
            @if let Some(t) = &measured {
                h2 id="measured" { "Measured on built pods" }
                (table(t))
            }
        }
    };
    Ok(page(&title, body))
}

/// The HTML page of a comparison: the side-by-side table first, the charts, then what changed
/// in the bill of materials from each design to the next.
pub(crate) fn compare_html(c: &Comparison) -> Result<String, ReportError> {
    let secs = report::compare_sections(c, Style::Read);
    let figs = figures(&report::compare_charts(c))?;
    let names: Vec<&str> = c.columns.iter().map(|x| x.name.as_str()).collect();
    let title = format!("Comparison: {}", names.join(", "));
    let (first, rest) = secs
        .split_first()
        .map_or((None, &[][..]), |(f, r)| (Some(f), r));
    // The figures first (one screen); the bottlenecks, whose cells are sentences, after the
    // charts and left-aligned.
    let (key, bottlenecks) = match first {
        Some(s) => {
            let mut key = s.clone();
            let mut b = s.clone();
            key.rows.retain(|r| !r[0].starts_with("Bottleneck"));
            b.rows.retain(|r| r[0].starts_with("Bottleneck"));
            b.title = "Bottlenecks: the link that binds each workload".into();
            b.columns.iter_mut().for_each(|c| c.right = false);
            (Some(key), Some(b).filter(|b| !b.rows.is_empty()))
        }
        None => (None, None),
    };
    let body = html! {
        header {
            h1 { (title) }
            p.intro { "TB = 10^12 bytes; $/GB on raw decimal GB. One column per design, in the order given." }
        }
        main {
            @if let Some(s) = &key { div.compact id="key-figures" { (table(s)) } }
            (charts(&figs))
            @if let Some(b) = &bottlenecks { (table(b)) }
            @if !rest.is_empty() {
                h2 id="bom-changes" { "What changed in the bill of materials" }
                (tables(rest))
            }
        }
    };
    Ok(page(&title, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped_and_cells_keep_their_lines() {
        let mut s = Section::new("<b>Parts & co</b>", &["#", "Part \"x\""]);
        s.align_right([0]);
        s.row(vec![
            "1".into(),
            "<script>alert(1)</script>\nline two".into(),
        ]);
        s.notes.push("a < b & c".into());
        let html = table(&s).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>line two"));
        assert!(html.contains("&lt;b&gt;Parts &amp; co&lt;/b&gt;"));
        assert!(html.contains("Part &quot;x&quot;") || html.contains("Part \"x\""));
        assert!(html.contains("a &lt; b &amp; c"));
        assert!(
            html.contains(r#"<td class="num"><span class="nw">1</span></td>"#),
            "{html}"
        );
    }

    #[test]
    fn anchors_are_plain() {
        assert_eq!(
            anchor("Cost per capacity (TB = 10^12 B)"),
            "cost-per-capacity-tb-10-12-b"
        );
        assert_eq!(anchor("Pod 2.0 → Pod 3.0"), "pod-2-0-pod-3-0");
    }
}
