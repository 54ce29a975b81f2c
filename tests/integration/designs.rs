//! The shipped Backblaze designs: they load clean, reproduce Backblaze's published figures,
//! and `show` of each is held to a golden snapshot.

use crate::{design_path, pod, run};
use podplan::load::{self, Document};
use podplan::units::TB;
use podplan::validate::validate;
use std::path::{Path, PathBuf};

const REVISIONS: &[&str] = &["1.0", "2.0", "3.0", "4.0", "4.5", "5.0", "6.0"];
/// The current (non-Backblaze) server designs.
const SERVERS: &[&str] = &[
    "server-24-bay-nvme",
    "server-45-bay-sas-hba",
    "server-60-bay-dual-path",
];

#[test]
fn every_file_in_designs_checks_without_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        REVISIONS.len() + SERVERS.len() + 3,
        "seven Backblaze designs, three current servers, the ZFS what-if and their two catalogs: {files:?}"
    );
    for f in &files {
        let diags = podplan::cli::check_file(Some(f));
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{}:\n{}", f.display(), errors.join("\n"));
    }
}

#[test]
fn the_embedded_designs_are_the_files_in_designs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs");
    for (name, text) in load::EMBEDDED {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(&on_disk, text, "{name} is stale in the binary");
    }
    let count = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "ron")
        })
        .count();
    assert_eq!(count, load::EMBEDDED.len(), "every design file is embedded");
}

#[test]
fn published_raw_capacities_reproduce() {
    // Backblaze: Pod 1.0 45 × 1.5 TB = 67.5 TB; Pod 2.0 45 × 3 TB = 135 TB; Pods 3.0-4.5
    // 45 × 4 TB = 180 TB; Pod 6.0 60 drives, 240 TB with 4 TB drives (the $0.036/GB basis).
    let expect = [
        ("1.0", 45, 67_500_000_000_000u64),
        ("2.0", 45, 135 * TB),
        ("3.0", 45, 180 * TB),
        ("4.0", 45, 180 * TB),
        ("4.5", 45, 180 * TB),
        ("6.0", 60, 240 * TB),
    ];
    for (rev, drives, raw) in expect {
        let p = pod(rev);
        assert_eq!(p.drives.len(), drives, "pod {rev} drive count");
        assert_eq!(p.raw_capacity().0, raw, "pod {rev} raw bytes");
    }
}

#[test]
fn every_design_matches_its_own_published_raw_capacity() {
    for rev in REVISIONS {
        let p = pod(rev);
        if let Some(f) = &p.published.raw {
            assert_eq!(
                f.value,
                p.raw_capacity(),
                "pod {rev}: published {} TB",
                f.text
            );
        }
    }
}

#[test]
fn backblaze_used_fifteen_wide_raid6_in_every_45_drive_pod() {
    for rev in ["1.0", "2.0", "3.0", "4.0", "4.5"] {
        let p = pod(rev);
        assert_eq!(
            p.raid.level,
            podplan::spec::Level::Raid6 { width: 15 },
            "pod {rev}"
        );
    }
}

#[test]
fn pod_1_topology_is_the_published_one() {
    // Pod 1.0: nine SiI3726 backplanes; three 2-port SiI3132 PCIe cards carry six of them and
    // a 4-port SiI3124 PCI card carries three (one port unused); no onboard SATA port is used.
    let p = pod("1.0");
    assert_eq!(p.backplanes.len(), 9);
    let mut per_card: Vec<(u32, usize)> = p
        .controllers
        .iter()
        .map(|c| {
            (
                c.ports,
                c.attachments
                    .iter()
                    .filter(|a| matches!(a.what, podplan::model::Attached::Backplane(_)))
                    .count(),
            )
        })
        .collect();
    per_card.sort();
    assert_eq!(per_card, vec![(2, 2), (2, 2), (2, 2), (4, 3)]);
}

#[test]
fn show_without_a_design_shows_the_built_in_pod_2() {
    let (code, out, _) = run(&["show"]);
    assert_eq!(code, 0);
    assert!(out.contains("Backblaze Storage Pod 2.0"), "{out}");
    assert!(out.contains("135.00 TB decimal"), "{out}");
    assert!(out.contains("122.78 TiB binary"), "{out}");
}

#[test]
fn show_is_deterministic() {
    let a = run(&[
        "show",
        design_path("1.0").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let b = run(&[
        "show",
        design_path("1.0").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(a, b);
}

fn golden(rev: &str, format: &str) -> String {
    // A path relative to the package root (cargo runs tests there), so the output, table
    // padding included, is the same on every machine.
    let path = format!("designs/backblaze-pod-{rev}.ron");
    let (code, out, err) = run(&["show", &path, "--format", format]);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn show_snapshots() {
    for rev in REVISIONS {
        insta::assert_snapshot!(format!("show-table-{rev}"), golden(rev, "table"));
        insta::assert_snapshot!(format!("show-json-{rev}"), golden(rev, "json"));
    }
}

#[test]
fn the_readme_example_of_a_non_backblaze_pod_validates() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let example = readme
        .split("```ron\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("Example 60-bay"))
        .unwrap();
    let Document::Design(l) = load::load_str("README.md", example, Path::new(".")).unwrap() else {
        panic!("a design");
    };
    let o = validate(&l);
    assert!(
        o.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        o.diagnostics
    );
    let p = o.pod.unwrap();
    assert_eq!(p.drives.len(), 60);
    assert_eq!(p.raw_capacity().0, 30 * 16 * TB + 30 * 20 * TB);
}

/// Every text file a user gets with the repository, by path relative to the package root:
/// the sources, the designs, the docs, the tests and their fixtures, the committed reports.
fn shipped_text_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("rs" | "ron" | "md" | "snap" | "csv" | "json" | "toml")
            ) {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for dir in ["src", "designs", "docs", "tests", "benches", "reports"] {
        walk(&root.join(dir), &mut files);
    }
    files
}

/// The section numbers a document defines in its `## N.` and `### N.M` headings.
fn sections(doc: &str) -> Vec<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("### ").or_else(|| l.strip_prefix("## ")))
        .filter_map(|h| {
            h.split_once(' ')
                .map(|(n, _)| n.trim_end_matches('.').to_string())
        })
        .filter(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

/// Issue 11 item 6: a citation in code or output points at a file users have. The designs once
/// cited a reference file kept outside the repository; they now cite docs/sources.md
/// ("sources §N"), and every such section exists there.
#[test]
fn every_citation_points_at_a_file_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources_md = std::fs::read_to_string(root.join("docs/sources.md")).unwrap();
    let defined = sections(&sources_md);
    // Spelt in pieces so that this file does not match itself.
    let outside = [
        ["dos", "sier"].concat(),
        ["pods", ".md"].concat(),
        ["physics", ".md"].concat(),
    ];
    let mut bad = Vec::new();
    let mut cited = 0;
    for path in shipped_text_files() {
        // Some fixtures are deliberately not UTF-8.
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let lower = text.to_lowercase();
        for word in &outside {
            if lower.contains(word.as_str()) {
                bad.push(format!(
                    "{rel}: cites {word:?}, which is not in the repository"
                ));
            }
        }
        for (at, _) in text.match_indices("sources §") {
            let n: String = text[at + "sources §".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let n = n.trim_end_matches('.');
            if n.is_empty() {
                continue; // "sources §N" as a pattern, in the docs
            }
            cited += 1;
            if !defined.iter().any(|d| d == n) {
                bad.push(format!(
                    "{rel}: cites sources §{n}, which docs/sources.md does not define"
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        cited > 50,
        "the designs cite docs/sources.md ({cited} citations found)"
    );
}

/// The validated pod of a current server design; fails the test on any error.
fn server(name: &str) -> podplan::model::Pod {
    let Document::Design(l) = load::load_file(Path::new(&format!("designs/{name}.ron"))).unwrap()
    else {
        panic!("{name} is a design");
    };
    let o = validate(&l);
    let errors: Vec<_> = o.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    o.pod.unwrap()
}

#[test]
fn current_servers_check_clean_and_give_the_figures_an_engineer_expects() {
    use podplan::bandwidth::{self, Params};
    use podplan::layout::{self, DomainKind, Shape};
    for name in SERVERS {
        let diags = podplan::cli::check_file(Some(&PathBuf::from(format!("designs/{name}.ron"))));
        assert!(diags.is_empty(), "{name}: {diags:#?}");
    }
    let params = Params::default();
    // 45-bay: each 9305-16i on PCIe 3.0 x8 is 7.88 GB/s raw per direction.
    let p = server("server-45-bay-sas-hba");
    let g = bandwidth::graph(&p, &params).unwrap();
    let host = g.links.iter().find(|l| l.id == "host:SLOT1").unwrap();
    let raw = host.line.unwrap().payload().0;
    assert!((raw - 7877.0).abs() < 1.0, "{raw}");
    // 25 GbE: about 2.9 GB/s of TCP goodput per port.
    let nic = g.links.iter().find(|l| l.id == "nic:1").unwrap();
    assert!((nic.capacity.0 - 2942.0).abs() < 1.0, "{}", nic.capacity.0);
    // A 16 TB drive rebuilds in about a day at its full-pass media rate (the wait for a
    // replacement aside).
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    let l = layout::place(&p, shape, &[]).unwrap().layout;
    for t in bandwidth::rebuild_times(&p, &l, &params).unwrap() {
        let hours = 16e12 / (t.rate.0 * 1e6) / 3600.0;
        assert!(
            (20.0..=26.0).contains(&hours),
            "{hours} h at {} MB/s",
            t.rate.0
        );
    }
    // 60-bay dual-path: no card is any drive's only path; --survive card holds.
    let p = server("server-60-bay-dual-path");
    let shape = Shape {
        level: p.raid.level,
        spares: p.raid.spares,
    };
    let placed = layout::place(&p, shape, &[DomainKind::Card]).unwrap();
    assert!(placed.survivable(), "{:?}", placed.unmet);
    // 24-bay NVMe: each drive's own PCIe 4.0 x4 link is 6.3 GB/s effective.
    let p = server("server-24-bay-nvme");
    let g = bandwidth::graph(&p, &params).unwrap();
    assert!(g.drives.iter().all(|d| (d.port.0 - 6301.5).abs() < 1.0));
}

#[test]
fn the_zfs_what_if_reports_what_openzfs_would_for_its_pool() {
    // Four RAIDZ2 15-wide vdevs of the catalog's 16 TB drive (16,000,900,661,248 B): the layout's
    // `zfs list` figure is the library's pool of those disks, its resilver is timed at the
    // design's fill 0.8, and the design's durability uses the same fill.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/pod-6.0-zfs-16tb.ron");
    let p = path.to_str().unwrap();
    let (code, out, err) = run(&["layout", p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let z = podplan::layout::zfs::ZfsParams {
        recordsize: 1 << 20,
        fill: 0.8,
        ..Default::default()
    };
    let (listed, ..) = podplan::layout::zfs::pool_of_disks(
        podplan::layout::zfs::VdevKind::RaidZ(2),
        15,
        4,
        16_000_900_661_248,
        &z,
    );
    assert_eq!(v["pipeline"]["zfs"]["zfs_list"].as_u64(), Some(listed));
    assert_eq!(v["overheads"]["zfs"]["fill"], 0.8);
    assert!(v["pipeline"]["zfs"]["resilver"]["hours"].as_f64().unwrap() > 0.0);
    let (code, out, err) = run(&["durability", p, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["groups"][0]["rebuild"]["fill"], 0.8);
}
