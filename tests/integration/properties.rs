//! Property tests.
//!
//! (a) Arbitrary text, and random mutations of `tests/fixtures/valid.ron`, go through the
//!     whole pipeline (load → validate → power → show → render) without panicking.
//! (b) Generated valid designs round-trip through `load::to_ron` → `load::parse` unchanged and
//!     validate with no diagnostic at all.
//! (c) For generated valid designs, raw capacity is the sum of the drives and the bay counts
//!     add up.

use podplan::load::{self, Document};
use podplan::spec::*;
use podplan::{power, render, show, validate};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::path::Path;

const VALID: &str = include_str!("../fixtures/valid.ron");

/// Catalogs named by fuzzed text resolve here, where nothing exists.
fn nowhere() -> &'static Path {
    Path::new("/nonexistent/podplan-proptest")
}

/// Everything a user can make podplan do with one design text. A panic fails the test.
fn pipeline(text: &str) {
    match load::load_str("fuzz.ron", text, nowhere()) {
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed load reports why");
            for d in &diags {
                let _ = d.to_string();
            }
        }
        Ok(Document::Catalog(path, catalog)) => {
            for d in validate::validate_catalog(&path, &catalog) {
                let _ = d.to_string();
            }
        }
        Ok(Document::Plan(..)) => {}
        Ok(Document::Design(loaded)) => {
            let outcome = validate::validate(&loaded);
            for d in &outcome.diagnostics {
                let _ = d.to_string();
            }
            let has_errors = outcome.diagnostics.iter().any(|d| d.is_error());
            assert_eq!(
                outcome.pod.is_some(),
                !has_errors,
                "a pod exactly when no error"
            );
            if let Some(pod) = outcome.pod {
                let budget = power::budget(&pod);
                for d in power::lint(&pod, &budget) {
                    let _ = d.to_string();
                }
                let report = show::report(&pod);
                let _ = render::show_table(&report);
                render::json(&report).unwrap();
                assert_eq!(
                    report.summary.bays_used + report.summary.bays_free,
                    report.summary.bays
                );
                every_engine(text);
            }
        }
    }
}

/// Runs every command that computes something on a design that validated: a panic anywhere
/// in layout, BOM, cost, bandwidth, durability or the report fails the test, and every run
/// ends with a documented exit code.
fn every_engine(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.ron");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let runs: [&[&str]; 8] = [
        &["layout", p, "--format", "json"],
        &["layout", p, "--survive", "backplane,card"],
        &["bom", p, "--format", "csv"],
        &["cost", p],
        &["bandwidth", p, "--workload", "scrub"],
        &[
            "bandwidth",
            p,
            "--workload",
            "rebuild-all",
            "--format",
            "json",
        ],
        &["durability", p],
        &["report", p],
    ];
    for args in runs {
        let (code, _, _) = crate::run(args);
        assert!(code <= 2, "{args:?} exited {code}");
    }
}

// ---------------------------------------------------------------------------------------------
// (a) Arbitrary text and mutations of valid.ron.

/// Values worth putting where a number was.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "0.5",
    "-0.0",
    "255",
    "256",
    "65535",
    "10000",
    "10001",
    "2147483648",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "99999999999999999999999999999999999999999",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
];

/// Values worth putting inside a string literal.
const STRINGS: &[&str] = &[
    "",
    " ",
    "0 B",
    "1 B",
    "0.5 B",
    "-1 TB",
    "1000000000000000000000000000000 B",
    "1 PiB",
    "1-10000",
    "10000",
    "10001",
    "0-3",
    "5-1",
    "1-5,3",
    "1,2,,3",
    "bays:1",
    "bays:1-10",
    "board",
    "bp1",
    "bp2",
    "fans",
    "psu1",
    "test-drive-3tb",
    "test-boot-160gb",
    "test-screw",
    "test-fan-120",
    "test-pm-backplane",
    "test-fis-card",
    "PCIE1",
    "PCI1",
    "-5.00",
    "1,000.00",
    "0.001",
    "EUR",
    "usd",
    "2011-13",
    "2011-02-31",
    "ÿ☃",
    "Rest",
];

/// Characters worth inserting: RON punctuation, digits, multi-byte text.
const CHARS: &[char] = &[
    '(', ')', '[', ']', '{', '}', ',', ':', '"', '\'', '\\', '-', '.', '0', '1', '9', 'a', 'Z',
    'e', ' ', '\n', '\t', '/', '*', '#', '!', 'é', '☃', '\u{0}',
];

#[derive(Debug, Clone)]
enum Edit {
    DeleteChar(Index),
    InsertChar(Index, char),
    ReplaceChar(Index, char),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    ReplaceNumber(Index, &'static str),
    ReplaceString(Index, &'static str),
}

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => select(CHARS), 1 => any::<char>()]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<Index>().prop_map(Edit::DeleteChar),
        1 => (any::<Index>(), any_char()).prop_map(|(i, c)| Edit::InsertChar(i, c)),
        1 => (any::<Index>(), any_char()).prop_map(|(i, c)| Edit::ReplaceChar(i, c)),
        1 => any::<Index>().prop_map(Edit::DeleteLine),
        1 => any::<Index>().prop_map(Edit::DuplicateLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        3 => (any::<Index>(), select(NUMBERS)).prop_map(|(i, n)| Edit::ReplaceNumber(i, n)),
        3 => (any::<Index>(), select(STRINGS)).prop_map(|(i, s)| Edit::ReplaceString(i, s)),
    ]
}

/// Byte ranges of maximal runs of ASCII digits (with `.` inside), e.g. `62.0`, `1`, `10`.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of the contents of `"..."` literals (no escapes in valid.ron).
fn string_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c == '"' {
            match open.take() {
                Some(s) => out.push((s, i)),
                None => open = Some(i + 1),
            }
        } else if c == '\n' {
            open = None;
        }
    }
    out
}

fn replace_span(text: &str, spans: &[(usize, usize)], i: &Index, with: &str) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    let (a, b) = spans[i.index(spans.len())];
    format!("{}{with}{}", &text[..a], &text[b..])
}

fn apply(text: &str, e: &Edit) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match e {
        Edit::DeleteChar(i) if !chars.is_empty() => {
            chars.remove(i.index(chars.len()));
        }
        Edit::InsertChar(i, c) => {
            let at = i.index(chars.len() + 1);
            chars.insert(at, *c);
        }
        Edit::ReplaceChar(i, c) if !chars.is_empty() => {
            let at = i.index(chars.len());
            chars[at] = *c;
        }
        Edit::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i.index(lines.len()));
            return lines.concat();
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let at = i.index(lines.len());
            lines.insert(at, lines[at]);
            return lines.concat();
        }
        Edit::SwapLines(a, b) if !lines.is_empty() => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
            return lines.concat();
        }
        Edit::ReplaceNumber(i, n) => return replace_span(text, &number_spans(text), i, n),
        Edit::ReplaceString(i, s) => return replace_span(text, &string_spans(text), i, s),
        _ => {}
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        pipeline(&text);
    }

    #[test]
    fn ron_like_text_never_panics(
        text in "(Design|Catalog)?\\(?[A-Za-z_(){}\\[\\]:,\" 0-9.\\-\n/*#!]{0,300}",
    ) {
        pipeline(&text);
    }

    #[test]
    fn mutated_valid_design_never_panics(edits in prop::collection::vec(edit(), 1..5)) {
        let mut text = VALID.to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        pipeline(&text);
    }
}

#[test]
fn the_unmutated_fixture_goes_through_the_whole_pipeline() {
    pipeline(VALID);
    let Ok(Document::Design(l)) = load::load_str("valid.ron", VALID, nowhere()) else {
        panic!("valid.ron parses")
    };
    assert!(validate::validate(&l).diagnostics.is_empty());
}

#[test]
fn mutation_helpers_find_numbers_and_strings() {
    let t = r#"a: 62.0, b: "3 TB", c: [1, 10]"#;
    let nums: Vec<&str> = number_spans(t).iter().map(|&(a, b)| &t[a..b]).collect();
    assert_eq!(nums, vec!["62.0", "3", "1", "10"]);
    let strs: Vec<&str> = string_spans(t).iter().map(|&(a, b)| &t[a..b]).collect();
    assert_eq!(strs, vec!["3 TB"]);
    assert!(number_spans(VALID).len() > 50);
    assert!(string_spans(VALID).len() > 50);
}

// ---------------------------------------------------------------------------------------------
// (b), (c) Generated valid designs.

/// Drive models: (id, capacity text, bytes).
const DRIVES: &[(&str, &str, u64)] = &[
    ("drive-1-5tb", "1.5 TB", 1_500_000_000_000),
    ("drive-3tb", "3 TB", 3_000_000_000_000),
    ("drive-4tb", "4 TB", 4_000_000_000_000),
    ("drive-8tb", "8 TB", 8_000_000_000_000),
];

/// One backplane: which of the two backplane models, and which drive model fills it.
#[derive(Debug, Clone)]
struct BpPlan {
    model: usize,
    drive: usize,
}

/// One host card: its backplanes, then some unused (Empty) ports.
#[derive(Debug, Clone)]
struct CardPlan {
    backplanes: Vec<BpPlan>,
    empty_ports: u32,
    lanes: u8,
    slot_lanes: u8,
    generation: u8,
    fis: bool,
}

/// Free-form text fields.
#[derive(Debug, Clone)]
struct Texts {
    name: String,
    revision: Option<String>,
    description: String,
    notes: Vec<String>,
    part_name: String,
}

/// Physical facts of the drive models.
#[derive(Debug, Clone)]
struct DriveFacts {
    outer: f64,
    inner_frac: f64,
    idle_w: f64,
    active_extra_w: f64,
    spinup_a: f64,
    run_5v_a: f64,
    afr: f64,
    rpm: u32,
}

/// Everything the generator decides; turned into a `Design` by `build`.
#[derive(Debug, Clone)]
struct Plan {
    bp_ports: [u32; 2],
    cards: Vec<CardPlan>,
    direct: u32,
    direct_drive: usize,
    boot: bool,
    free_bays: u32,
    facts: DriveFacts,
    cents: Vec<u32>,
    date: &'static str,
    source: u8,
    memory_qty: u32,
    fans: Vec<u32>,
    extras: Vec<u32>,
    second_psu: Option<Index>,
    raid: (u8, Index, Index, bool),
    filesystem: Filesystem,
    vault: Option<(u32, u32)>,
    published: bool,
    texts: Texts,
}

fn texts() -> impl Strategy<Value = Texts> {
    (
        "\\PC{0,24}",
        proptest::option::of("[A-Za-z0-9. -]{1,8}"),
        "\\PC{0,40}",
        prop::collection::vec("\\PC{0,30}", 0..3),
        "\\PC{1,20}",
    )
        .prop_map(|(name, revision, description, notes, part_name)| Texts {
            name,
            revision,
            description,
            notes,
            part_name,
        })
}

fn drive_facts() -> impl Strategy<Value = DriveFacts> {
    (
        1.0f64..300.0,
        0.3f64..1.0,
        0.5f64..10.0,
        0.0f64..5.0,
        0.3f64..2.5,
        0.1f64..0.8,
        0.0f64..10.0,
        select(vec![0u32, 5400, 5700, 5900, 7200, 10_000, 15_000]),
    )
        .prop_map(
            |(outer, inner_frac, idle_w, active_extra_w, spinup_a, run_5v_a, afr, rpm)| {
                DriveFacts {
                    outer,
                    inner_frac,
                    idle_w,
                    active_extra_w,
                    spinup_a,
                    run_5v_a,
                    afr,
                    rpm,
                }
            },
        )
}

fn card() -> impl Strategy<Value = CardPlan> {
    (
        prop::collection::vec(
            (0usize..2, 0..DRIVES.len()).prop_map(|(model, drive)| BpPlan { model, drive }),
            1..5,
        ),
        0u32..3,
        select(vec![1u8, 2, 4]),
        select(vec![4u8, 8, 16]),
        1u8..=3,
        any::<bool>(),
    )
        .prop_map(
            |(backplanes, empty_ports, lanes, slot_lanes, generation, fis)| CardPlan {
                backplanes,
                empty_ports,
                lanes,
                slot_lanes,
                generation,
                fis,
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    let hardware = (
        [1u32..=8, 1u32..=8],
        prop::collection::vec(card(), 1..4),
        0u32..=4,
        0..DRIVES.len(),
        any::<bool>(),
        0u32..=4,
        drive_facts(),
    );
    let money = (
        prop::collection::vec(0u32..=10_000_000, 16),
        select(vec!["2007", "2009-09", "2011-07-20"]),
        0u8..4,
        1u32..=2,
        prop::collection::vec(1u32..=8, 0..3),
        prop::collection::vec(1u32..=100, 0..3),
        proptest::option::of(any::<Index>()),
    );
    let policy = (
        (0u8..6, any::<Index>(), any::<Index>(), any::<bool>()),
        select(vec![
            Filesystem::Ext4,
            Filesystem::Jfs,
            Filesystem::Xfs,
            Filesystem::None,
        ]),
        proptest::option::of((1u32..=20, 1u32..=5)),
        any::<bool>(),
        texts(),
    );
    (hardware, money, policy).prop_map(
        |(
            (bp_ports, cards, direct, direct_drive, boot, free_bays, facts),
            (cents, date, source, memory_qty, fans, extras, second_psu),
            (raid, filesystem, vault, published, texts),
        )| Plan {
            bp_ports,
            cards,
            direct,
            direct_drive,
            boot,
            free_bays,
            facts,
            cents,
            date,
            source,
            memory_qty,
            fans,
            extras,
            second_psu,
            raid,
            filesystem,
            vault,
            published,
            texts,
        },
    )
}

fn bay_range(first: u32, count: u32) -> String {
    if count == 1 {
        first.to_string()
    } else {
        format!("{first}-{}", first + count - 1)
    }
}

/// Exact decimal TB text of a byte count: 4_500_000_000_000 → "4.5".
fn tb_text(bytes: u64) -> String {
    let (int, frac) = (bytes / 1_000_000_000_000, bytes % 1_000_000_000_000);
    if frac == 0 {
        int.to_string()
    } else {
        let f = format!("{frac:012}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

/// A generated design and what it must add up to.
struct Built {
    design: Design,
    raw_bytes: u64,
    drives: u32,
    bays: u32,
}

fn build(p: &Plan) -> Built {
    let mut cents = p.cents.iter().cycle();
    let mut price = || {
        let c = *cents.next().unwrap();
        let source = match p.source {
            0 => Source::Published("https://example.com/price".into()),
            1 => Source::ThirdParty("https://example.com/shop".into()),
            2 => Source::Derived("kit price / 2".into()),
            _ => Source::Estimated("typical street price".into()),
        };
        Price {
            amount: format!("{}.{:02}", c / 100, c % 100),
            currency: "USD".into(),
            date: p.date.to_string(),
            source,
            breaks: Vec::new(),
        }
    };
    let part = |id: &str, name: String, price: Price, spec: PartSpec| Part {
        id: id.to_string(),
        name,
        part_number: None,
        supplier: None,
        price,
        spec,
        facts: Vec::new(),
    };
    let f = &p.facts;
    let mut parts = Vec::new();
    for (i, (id, cap, _)) in DRIVES.iter().enumerate() {
        let mut d = part(
            id,
            format!("{} {cap}", p.texts.part_name),
            price(),
            PartSpec::Drive(DriveSpec {
                capacity: (*cap).to_string(),
                interface: if i % 2 == 0 {
                    LinkGen::Sata2
                } else {
                    LinkGen::Sata3
                },
                rpm: f.rpm,
                outer_mb_s: f.outer,
                inner_mb_s: f.outer * f.inner_frac,
                idle_w: f.idle_w,
                active_w: f.idle_w + f.active_extra_w,
                spinup_12v_a: f.spinup_a,
                run_5v_a: f.run_5v_a,
                afr_pct: f.afr,
                ure_bits: 1e14,
                dual_port: false,
            }),
        );
        if i == 0 {
            d.part_number = Some("HDS-1.5".into());
            d.supplier = Some("Example Supplier".into());
            d.facts = vec![Fact {
                field: "spinup_12v_a".into(),
                source: Source::Estimated("datasheet range".into()),
            }];
        }
        parts.push(d);
    }
    parts.push(part(
        "boot-drive",
        "Boot drive".into(),
        price(),
        PartSpec::Drive(DriveSpec {
            capacity: "160 GB".into(),
            interface: LinkGen::Sata2,
            rpm: 7200,
            outer_mb_s: 100.0,
            inner_mb_s: 50.0,
            idle_w: 4.0,
            active_w: 6.0,
            spinup_12v_a: 1.5,
            run_5v_a: 0.5,
            afr_pct: 3.0,
            ure_bits: 1e14,
            dual_port: false,
        }),
    ));
    for (m, ports) in p.bp_ports.iter().enumerate() {
        parts.push(part(
            &format!("backplane-{m}"),
            format!("Backplane {m}"),
            price(),
            PartSpec::Backplane(BackplaneSpec {
                chip: "SiI3726".into(),
                kind: BackplaneKind::PortMultiplier(if m == 0 {
                    PmSupport::Fis
                } else {
                    PmSupport::Command
                }),
                drive_ports: *ports,
                uplink: LinkGen::Sata2,
                uplink_lanes: 1,
                uplinks: 1,
                paths: 1,
                watts: 5.0,
                dc_dc_5v: None,
            }),
        ));
    }
    let mut slots = Vec::new();
    let mut slot_uses = Vec::new();
    let mut drives = Vec::new();
    let mut bp_ids = Vec::new();
    let mut raw_bytes = 0u64;
    let mut next_bay = 1u32;
    for (c, card) in p.cards.iter().enumerate() {
        let card_id = format!("card-{c}");
        let ports = card.backplanes.len() as u32 + card.empty_ports;
        parts.push(part(
            &card_id,
            format!("Card {c}"),
            price(),
            PartSpec::HostCard(HostCardSpec {
                chipset: "Marvell 88SE9123".into(),
                ports,
                link: LinkGen::Sata2,
                pm_support: if card.fis {
                    PmSupport::Fis
                } else {
                    PmSupport::Command
                },
                host_bus: Bus::Pcie {
                    generation: card.generation,
                    lanes: card.lanes,
                },
                watts: 8.0,
            }),
        ));
        let slot_id = format!("PCIE{}", c + 1);
        slots.push(SlotSpec {
            id: slot_id.clone(),
            bus: Bus::Pcie {
                generation: 2,
                lanes: card.slot_lanes,
            },
            attach: if c == 0 { Attach::Cpu } else { Attach::Chipset },
        });
        let mut uses = Vec::new();
        for bp in &card.backplanes {
            let n = p.bp_ports[bp.model];
            let id = format!("bp{}", bp_ids.len() + 1);
            let bays = bay_range(next_bay, n);
            uses.push(PortUse::Backplane {
                id: id.clone(),
                part: format!("backplane-{}", bp.model),
                bays: bays.clone(),
                cascade: Vec::new(),
            });
            drives.push(DriveFill {
                bays,
                part: DRIVES[bp.drive].0.to_string(),
            });
            raw_bytes += u64::from(n) * DRIVES[bp.drive].2;
            next_bay += n;
            bp_ids.push(id);
        }
        uses.extend((0..card.empty_ports).map(|_| PortUse::Empty));
        slot_uses.push(SlotUse {
            slot: slot_id,
            card: CardUse {
                part: card_id,
                ports: uses,
                nics: None,
            },
        });
    }
    let mut onboard = Vec::new();
    if p.boot {
        onboard.push(PortUse::Boot("boot-drive".into()));
    }
    if p.direct > 0 {
        let bays = bay_range(next_bay, p.direct);
        onboard.push(PortUse::Direct { bays: bays.clone() });
        drives.push(DriveFill {
            bays,
            part: DRIVES[p.direct_drive].0.to_string(),
        });
        raw_bytes += u64::from(p.direct) * DRIVES[p.direct_drive].2;
        next_bay += p.direct;
    }
    let n = next_bay - 1;
    let bays = n + p.free_bays;
    parts.push(part(
        "chassis",
        "Chassis".into(),
        price(),
        PartSpec::Chassis(ChassisSpec {
            rack_units: 4,
            bays,
            depth_in: 26.5,
        }),
    ));
    parts.push(part(
        "board",
        "Board".into(),
        price(),
        PartSpec::Motherboard(MotherboardSpec {
            form_factor: "ATX".into(),
            chipset: "Intel P45 + ICH10R".into(),
            chipset_link: ChipsetLink::Dmi1,
            slots,
            onboard_sata: Some(OnboardSataSpec {
                controller: "Intel ICH10R".into(),
                ports: 6,
                link: LinkGen::Sata2,
                pm_support: PmSupport::None,
                attach: Attach::Chipset,
            }),
            pata_devices: 0,
            nics: vec![NicSpec {
                controller: "Intel 82574L".into(),
                gbit_s: 1.0,
                attach: Attach::Chipset,
            }],
            memory_slots: 4,
            watts: 40.0,
            dc_dc_5v: None,
            sockets: 1,
        }),
    ));
    parts.push(part(
        "cpu",
        "CPU".into(),
        price(),
        PartSpec::Cpu(CpuSpec {
            cores: 4,
            ghz: 2.5,
            tdp_w: 95.0,
        }),
    ));
    parts.push(part(
        "ram-kit",
        "RAM kit 2 x 2 GB".into(),
        price(),
        PartSpec::Memory(MemorySpec {
            modules: 2,
            module_size: "2 GB".into(),
            kind: "DDR2-800".into(),
            watts_per_module: 3.0,
        }),
    ));
    parts.push(part(
        "psu",
        "PSU 5 kW".into(),
        price(),
        PartSpec::Psu(PsuSpec {
            watts: 5_000.0,
            rail_12v_a: 400.0,
            rail_5v_a: Some(200.0),
        }),
    ));
    parts.push(part(
        "fan",
        "Fan".into(),
        price(),
        PartSpec::Fan(FanSpec {
            size_mm: 120,
            rpm: 1500,
            watts: 2.5,
        }),
    ));
    parts.push(part(
        "screw",
        "Screw".into(),
        price(),
        PartSpec::Other(OtherSpec {
            category: Category::Mechanical,
            watts: 0.0,
        }),
    ));
    let fans: Vec<FanGroup> = p
        .fans
        .iter()
        .enumerate()
        .map(|(i, qty)| FanGroup {
            id: format!("fans-{i}"),
            part: "fan".into(),
            qty: *qty,
        })
        .collect();
    let mut psus = vec![PsuUse {
        id: "psu1".into(),
        part: "psu".into(),
        feeds: Feeds::Rest,
        qty: 1,
        redundancy: podplan::spec::Redundancy::None,
    }];
    if let Some(k) = &p.second_psu
        && !bp_ids.is_empty()
    {
        // The second PSU takes the first k ≥ 1 backplanes (one that feeds nothing is warned
        // about: psu-feeds-nothing); the first feeds the rest.
        let take = 1 + k.index(bp_ids.len());
        psus.push(PsuUse {
            id: "psu2".into(),
            part: "psu".into(),
            feeds: Feeds::Only(bp_ids[..take].to_vec()),
            qty: 1,
            redundancy: podplan::spec::Redundancy::None,
        });
    }
    // RAID: a level whose width fits the n drives; explicit groups take whole widths and the
    // remainder are spares, so every drive is in a group or a spare.
    let (sel, wi, si, explicit) = &p.raid;
    let pick = |lo: u32| lo + wi.index((n - lo + 1) as usize) as u32;
    let level = match sel {
        1 if n >= 2 => Level::Mirror { copies: 2 },
        2 if n >= 3 => Level::Raid5 { width: pick(3) },
        3 if n >= 4 => Level::Raid6 { width: pick(4) },
        4 if n >= 4 => Level::Raid10 {
            width: 4,
            copies: 2,
        },
        5 if n >= 2 => {
            let total = pick(2);
            let parity = 1 + si.index(total as usize - 1) as u32;
            Level::Erasure {
                data: total - parity,
                parity,
            }
        }
        _ => Level::Stripe { width: pick(1) },
    };
    let (width, _) = podplan::model::RaidPolicy::width_and_tolerance(level);
    let (groups, spares) = if *explicit {
        let g = n / width;
        let groups = (0..g).map(|i| bay_range(1 + i * width, width)).collect();
        (groups, n - g * width)
    } else {
        (Vec::new(), si.index((n - width + 1) as usize) as u32)
    };
    let published = if p.published {
        Published {
            raw_tb: Some(Cited {
                value: tb_text(raw_bytes),
                source: Source::Published("https://example.com/blog".into()),
                note: String::new(),
            }),
            usable_tb: None,
            total_cost: Some(Cited {
                value: "7384.00".into(),
                source: Source::Derived("sum of the parts".into()),
                note: "before shipping".into(),
            }),
            cost_per_gb: Some(Cited {
                value: "0.117".into(),
                source: Source::Estimated("rounded".into()),
                note: String::new(),
            }),
        }
    } else {
        Published::default()
    };
    let design = Design {
        name: p.texts.name.clone(),
        revision: p.texts.revision.clone(),
        label: None,
        description: p.texts.description.clone(),
        catalogs: Vec::new(),
        parts,
        chassis: "chassis".into(),
        board: Board {
            part: "board".into(),
            cpu: "cpu".into(),
            memory: vec![Line {
                part: "ram-kit".into(),
                qty: p.memory_qty,
            }],
            onboard,
            pata: Vec::new(),
            nics: None,
        },
        slots: slot_uses,
        drives,
        psus,
        fans,
        bond: podplan::spec::Bond::Balance,
        extras: p
            .extras
            .iter()
            .map(|q| Line {
                part: "screw".into(),
                qty: *q,
            })
            .collect(),
        raid: Raid {
            level,
            spares,
            groups,
            filesystem: p.filesystem,
            vault: p.vault.map(|(data, parity)| Vault { data, parity }),
            replace_delay: None,
            zfs: None,
        },
        published,
        measured: Vec::new(),
        notes: p.texts.notes.clone(),
    };
    Built {
        design,
        raw_bytes,
        drives: n,
        bays,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_design_round_trips_through_ron(p in plan()) {
        let b = build(&p);
        let text = load::to_ron(&b.design).unwrap();
        let back: Design = match load::parse("generated.ron", &text) {
            Ok(d) => d,
            Err(e) => panic!("{e}\n{text}"),
        };
        prop_assert_eq!(&back, &b.design);
        // And it is stable: serializing again gives the same text.
        prop_assert_eq!(load::to_ron(&back).unwrap(), text);
    }

    #[test]
    fn generated_design_validates_cleanly_and_adds_up(p in plan()) {
        let b = build(&p);
        let text = load::to_ron(&b.design).unwrap();
        let Ok(Document::Design(loaded)) = load::load_str("generated.ron", &text, nowhere()) else {
            panic!("a design:\n{text}")
        };
        prop_assert_eq!(&loaded.design, &b.design);
        let outcome = validate::validate(&loaded);
        prop_assert!(
            outcome.diagnostics.is_empty(),
            "diagnostics:\n{}\n{}",
            outcome.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
            text
        );
        let pod = outcome.pod.unwrap();
        let budget = power::budget(&pod);
        let lint = power::lint(&pod, &budget);
        prop_assert!(lint.is_empty(), "power: {:?}", lint);

        // (c) Raw capacity is the sum of the drives; bays used + free = bays.
        prop_assert_eq!(pod.raw_capacity().0, b.raw_bytes);
        let sum: u64 = pod.drives.iter().map(|d| d.drive().capacity.0).sum();
        prop_assert_eq!(pod.raw_capacity().0, sum);
        prop_assert_eq!(pod.drives.len() as u32, b.drives);
        prop_assert_eq!(pod.bays(), b.bays);
        let report = show::report(&pod);
        let s = &report.summary;
        prop_assert_eq!(s.bays_used + s.bays_free, s.bays);
        prop_assert_eq!(s.bays, b.bays);
        prop_assert_eq!(s.bays_used, b.drives);
        prop_assert_eq!(s.drive_count, b.drives);
        prop_assert_eq!(s.raw.bytes.0, b.raw_bytes);
        if let Some(pr) = &s.published_raw {
            prop_assert!(pr.matches, "published {} vs {}", pr.published_tb, b.raw_bytes);
        }
        // Every PSU's feeds together power every drive exactly once.
        let fed: u32 = budget.psus.iter().map(|x| x.drives).sum();
        prop_assert_eq!(fed, b.drives);
        let _ = render::show_table(&report);
        render::json(&report).unwrap();
        // Every engine runs on every generated design without a panic.
        every_engine(&text);
    }
}

#[test]
fn tb_text_is_exact() {
    assert_eq!(tb_text(30_000_000_000_000), "30");
    assert_eq!(tb_text(4_500_000_000_000), "4.5");
    assert_eq!(tb_text(1_500_000_000_001), "1.500000000001");
}

/// Generated valid pods (the designs above, loaded and validated), for other modules'
/// property tests.
pub(crate) fn pods() -> impl Strategy<Value = podplan::model::Pod> {
    plan().prop_map(|p| {
        let b = build(&p);
        let text = load::to_ron(&b.design).unwrap();
        let Ok(Document::Design(loaded)) = load::load_str("generated.ron", &text, nowhere()) else {
            panic!("a design:\n{text}")
        };
        validate::validate(&loaded).pod.unwrap()
    })
}

/// Sets a drive part's +12 V spin-up current (0 A is an SSD or a 2.5-inch drive).
fn with_spinup(part: &mut podplan::model::PartRef, amps: f64) {
    if let podplan::model::Kind::Drive(d) = &mut std::sync::Arc::make_mut(part).kind {
        d.spinup_12v = podplan::units::Amps(amps);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Staggered spin-up starts fewer drives at once than simultaneous spin-up, so it can
    /// never draw more, on any rail or in watts, whatever the drives (an SSD draws 0 A to
    /// spin up but its running current as soon as it is on).
    #[test]
    fn staggered_spinup_never_exceeds_simultaneous(
        pod in pods(),
        spinups in prop::collection::vec(select(vec![0.0f64, 0.01, 0.3, 1.46, 2.8]), 1..8),
    ) {
        let mut pod = pod;
        for (i, d) in pod.drives.iter_mut().enumerate() {
            with_spinup(&mut d.part, spinups[i % spinups.len()]);
        }
        for (i, b) in pod.boot_drives.iter_mut().enumerate() {
            with_spinup(&mut b.part, spinups[(i + 1) % spinups.len()]);
        }
        let budget = power::budget(&pod);
        for p in &budget.psus {
            let (st, si) = (p.spinup_staggered, p.spinup_simultaneous);
            prop_assert!(st.a12 <= si.a12, "{}: +12 V {} > {}", p.id, st.a12.amps(), si.a12.amps());
            prop_assert!(st.a5 <= si.a5, "{}: +5 V {} > {}", p.id, st.a5.amps(), si.a5.amps());
            prop_assert!(st.power() <= si.power(), "{}: {} W > {} W", p.id, st.power().watts(), si.power().watts());
            // And spinning up never draws less than idling.
            prop_assert!(p.idle.power() <= st.power(), "{}: idle above staggered", p.id);
        }
        prop_assert!(budget.spinup_staggered_w <= budget.spinup_simultaneous_w);
    }
}

/// `check` passes exactly what `report` can write: a design that checks without an error is
/// reported (with every file written), whatever the mutation.
fn check_clean_means_report_works(text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("design.ron");
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = crate::run(&["check", p]);
    if code == 0 {
        let to = dir.path().join("out");
        let (rcode, _, err) = crate::run(&["report", p, "--out", to.to_str().unwrap()]);
        prop_assert_eq!(
            rcode,
            0,
            "check passed:\n{}\nreport failed:\n{}\n{}",
            out,
            err,
            text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_mutated_design_that_checks_clean_reports(edits in prop::collection::vec(edit(), 1..4)) {
        let mut text = VALID.to_string();
        for e in &edits {
            text = apply(&text, e);
        }
        check_clean_means_report_works(&text)?;
    }

    #[test]
    fn a_generated_design_that_checks_clean_reports(p in plan()) {
        let text = load::to_ron(&build(&p).design).unwrap();
        check_clean_means_report_works(&text)?;
    }
}
