//! Bill of materials and cost: BOM lines from the pod's tree, totals, cost per TB and per GB,
//! price what-ifs, and reconciliation with the figures the designer published.
//!
//! This engine owns the money arithmetic and nothing else. It is a set of pure functions over
//! a validated [`Pod`]: [`lines`] derives one BOM line per part from the topology (drives per
//! filled bay, boot drives, chassis, board, CPU, memory, host cards, backplanes, NIC cards,
//! PSUs, fan groups) plus the design's `extras`; [`report`] adds the totals, the cost metrics
//! (capacity from the layout engine, with the design's own RAID policy) and the reconciliation
//! with `published`; [`lint`] warns when the BOM drifts from the published total. Money is
//! integer [`Cents`] throughout; ratios are `f64` computed once from exact integers and rounded
//! only by renderers. It never prints, reads files or parses command lines.
//!
//! # Formulas and factors (the only place they are defined)
//!
//! * **Extended price** = unit price × quantity, exact in cents; a line's quantity for an order
//!   of N pods is its per-pod quantity × N.
//! * **Unit price** = the part's quantity price break with the largest quantity not above the
//!   part's units in the whole order (all its lines × N pods), else its list price; a
//!   `--price` override replaces both (model §15.1).
//! * **Total** = Σ extended prices; **category totals** group the lines by
//!   [`Kind::category`](crate::model::Kind::category) (fans are `Mechanical`, every board-level
//!   part `Electronics`, boot drives `Drives`).
//! * **Data drives vs everything else**: the data-drive lines (the drives in the bays) against
//!   the rest, so "everything else" is the pod without its data drives — the non-drive cost
//!   Backblaze quotes (Pod 1.0: $7,867 − 45 × $120 = $2,467, derived).
//! * **Estimated share** = Σ extended of lines whose price source is `Estimated` ÷ total.
//!   `Derived` prices (arithmetic on sourced figures) and third-party prices are counted
//!   separately in [`Totals::by_basis`], never as estimates.
//! * **$/GB** = total ÷ (raw bytes ÷ [`GB`]): raw decimal gigabytes as sold, which is how
//!   Backblaze quotes cost (Pod 1.0: $7,867 ÷ 67,500 GB = $0.1165).
//! * **$/TB** = total ÷ (bytes ÷ 10^12) and **$/TiB** = total ÷ (bytes ÷ 2^40), for raw,
//!   before-filesystem and usable capacity ([`crate::units::TB`], [`crate::units::TIB`]).
//! * **Capacity**: `layout::place` with the design's own level and spares, then
//!   `layout::capacity` with `Overheads::for_filesystem` of the design's filesystem; for a
//!   design deployed in a Vault, also `layout::vault_capacity` (the pod as a Vault member).
//! * **Per bay** = total ÷ chassis bays; **everything else per bay** = (total − data drives) ÷
//!   chassis bays, the enclosure's cost per slot.
//! * **Matches at the published precision**: the computed figure, rounded half up to as many
//!   decimals as the published text has (`"7384.00"` → cents, `"7,384"` → dollars, `"0.0517"` →
//!   four decimals), equals the published figure. Rounding is exact integer arithmetic.

use crate::diag::{Code, Diagnostic};
use crate::layout::{self, Overheads, Shape};
use crate::model::{BootPort, ControllerKind, Figure, PartRef, Pod};
use crate::spec::{self, Category, Source};
use crate::units::{Bytes, Cents, TB, TIB};
use serde::Serialize;
use std::collections::BTreeMap;

/// One decimal gigabyte in bytes (10^9): Backblaze's $/GB is on raw decimal GB.
pub const GB: u64 = 1_000_000_000;

/// The BOM categories in report order.
pub const CATEGORIES: [Category; 6] = [
    Category::Drives,
    Category::Chassis,
    Category::Electronics,
    Category::Power,
    Category::Mechanical,
    Category::Cabling,
];

/// Where a line's unit price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Published by the designer.
    Published,
    /// Published by a third party (press, vendor, forum).
    ThirdParty,
    /// Derived by arithmetic from sourced figures (e.g. a published total less the other lines).
    Derived,
    /// Nobody published it: a reasoned estimate.
    Estimated,
    /// Given on the command line (`--price`), replacing the design's price.
    Override,
}

impl Basis {
    /// Every basis, in report order.
    pub const ALL: [Basis; 5] = [
        Basis::Published,
        Basis::ThirdParty,
        Basis::Derived,
        Basis::Estimated,
        Basis::Override,
    ];
    /// The basis of a design's price source.
    pub fn of(source: &Source) -> Basis {
        match source {
            Source::Published(_) => Basis::Published,
            Source::ThirdParty(_) => Basis::ThirdParty,
            Source::Derived(_) => Basis::Derived,
            Source::Estimated(_) => Basis::Estimated,
        }
    }
    /// One-letter tag as in the design files and docs/sources.md: P, T, D, E (O for an override).
    pub fn tag(self) -> &'static str {
        match self {
            Basis::Published => "P",
            Basis::ThirdParty => "T",
            Basis::Derived => "D",
            Basis::Estimated => "E",
            Basis::Override => "O",
        }
    }
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Published => "published",
            Basis::ThirdParty => "third party",
            Basis::Derived => "derived",
            Basis::Estimated => "estimated",
            Basis::Override => "override (--price)",
        }
    }
}

/// The text of a source: its URL, formula or reasoning.
pub fn source_text(s: &Source) -> &str {
    match s {
        Source::Published(t)
        | Source::ThirdParty(t)
        | Source::Derived(t)
        | Source::Estimated(t) => t,
    }
}

/// A category's name as written in design files.
pub(crate) fn category_name(c: Category) -> &'static str {
    match c {
        Category::Drives => "Drives",
        Category::Chassis => "Chassis",
        Category::Electronics => "Electronics",
        Category::Power => "Power",
        Category::Mechanical => "Mechanical",
        Category::Cabling => "Cabling",
    }
}

/// One line of the bill of materials: one part, the units to buy and what they cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Line number, 1-based, in BOM order (category, then order of appearance in the design).
    pub item: u32,
    /// The part id in the design or catalog.
    pub part: String,
    /// The part's name as a buyer writes it on an order.
    pub name: String,
    /// Manufacturer's or supplier's part number, when known.
    pub part_number: Option<String>,
    /// Where the part is bought, when known.
    pub supplier: Option<String>,
    /// BOM category.
    pub category: Category,
    /// What the units are for in this design (bays, backplane ids, slots, `extras[i]`).
    pub used_for: String,
    /// True for the data drives (the drives in the chassis bays).
    pub data_drive: bool,
    /// Units in one pod.
    pub qty_per_pod: u64,
    /// Units for the whole order: `qty_per_pod` × pods.
    pub qty: u64,
    /// Unit price in integer cents of [`Report::currency`].
    pub unit: Cents,
    /// Extended price: `unit` × `qty`, in integer cents.
    pub extended: Cents,
    /// Where the unit price comes from.
    pub basis: Basis,
    /// The price's URL, formula or reasoning (for an override: what it replaced).
    pub source: String,
    /// When the price was quoted (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; empty for an override).
    pub price_date: String,
    /// The design's own unit price, when `--price` replaced it.
    pub design_unit: Option<Cents>,
    /// The quantity price break that set `unit` (its least quantity), when one applies; the
    /// list price otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_break: Option<u64>,
}

/// The total of one BOM category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryTotal {
    /// The category.
    pub category: Category,
    /// Σ extended prices of its lines, in cents (for the order).
    pub extended: Cents,
    /// Percent of the total.
    pub share_pct: f64,
}

/// How much of the total rests on one kind of price source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasisTotal {
    /// The price basis.
    pub basis: Basis,
    /// Number of lines priced this way.
    pub lines: u32,
    /// Σ extended prices of those lines, in cents (for the order).
    pub extended: Cents,
    /// Percent of the total.
    pub share_pct: f64,
}

/// Totals of the BOM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// One pod, in cents.
    pub pod_total: Cents,
    /// The whole order (`pod_total` × pods), in cents: Σ of every line's extended price.
    pub order_total: Cents,
    /// Every category in [`CATEGORIES`] order, zero ones included (for the order).
    pub by_category: Vec<CategoryTotal>,
    /// The data drives, in cents (for the order).
    pub data_drives: Cents,
    /// Everything but the data drives, in cents (for the order).
    pub everything_else: Cents,
    /// Every price basis in [`Basis::ALL`] order (for the order).
    pub by_basis: Vec<BasisTotal>,
    /// Σ extended prices of lines with an `Estimated` price, in cents (for the order).
    pub estimated: Cents,
    /// `estimated` as a percent of the total.
    pub estimated_share_pct: f64,
}

/// Cost per unit of capacity, in currency units (not cents); `None` for zero capacity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerCapacity {
    /// The capacity, exact bytes.
    pub bytes: Bytes,
    /// Currency units per decimal TB (10^12 B).
    pub per_tb: Option<f64>,
    /// Currency units per binary TiB (2^40 B).
    pub per_tib: Option<f64>,
    /// Currency units per decimal GB (10^9 B).
    pub per_gb: Option<f64>,
}

impl PerCapacity {
    fn of(total: Cents, bytes: Bytes) -> PerCapacity {
        let per = |unit: u64| {
            (!bytes.is_zero()).then(|| total.as_units_f64() * unit as f64 / bytes.bytes() as f64)
        };
        PerCapacity {
            bytes,
            per_tb: per(TB),
            per_tib: per(TIB),
            per_gb: per(GB),
        }
    }
}

/// Cost metrics of one pod (per pod: an order of N pods has the same ratios).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// One pod, in cents.
    pub pod_total: Cents,
    /// Chassis bays.
    pub bays: u32,
    /// Data drives.
    pub drives: u32,
    /// The layout the capacity comes from: shape, groups, spares and filesystem.
    pub layout: String,
    /// Raw capacity (every data drive as sold) and its cost per TB, TiB and GB.
    pub raw: PerCapacity,
    /// Capacity after parity and spares, before the filesystem, and its cost.
    pub before_filesystem: PerCapacity,
    /// Usable capacity after the filesystem, and its cost.
    pub usable: PerCapacity,
    /// For a design deployed in a Vault (`raid.vault`): usable capacity of the pod as a Vault
    /// member (the data share of the k+m code, a filesystem per drive, no RAID inside the pod,
    /// `layout::vault_capacity`), and its cost; `None` otherwise.
    pub vault_usable: Option<PerCapacity>,
    /// The Vault code across pods (data and parity shards), when the design has one.
    pub vault: Option<spec::Vault>,
    /// Currency units per chassis bay.
    pub per_bay: f64,
    /// Currency units per chassis bay of everything but the data drives.
    pub everything_else_per_bay: f64,
}

/// A published figure next to the computed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check<T> {
    /// The published value.
    pub published: T,
    /// The published value as written in the design.
    pub published_text: String,
    /// Where it was published: `P`, `T`, `D` or `E`.
    pub source_tag: String,
    /// The publication's URL, or the formula or reasoning behind it.
    pub source: String,
    /// The computed value (of the design as written, without what-ifs).
    pub computed: T,
    /// The computed value rounded to the published precision, as text.
    pub computed_at_published_precision: String,
    /// Computed − published.
    pub difference: T,
    /// True when the computed value rounds to the published one.
    pub matches: bool,
    /// The design's note on the published figure: what it covers, rounding, conflicts.
    pub explanation: String,
}

/// The design's cost against what was published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    /// Total cost of one pod, in cents.
    pub total: Option<Check<Cents>>,
    /// Cost per raw decimal GB, in currency units.
    pub per_gb: Option<Check<f64>>,
}

/// A unit price given on the command line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceChange {
    /// Part id.
    pub part: String,
    /// Part name.
    pub name: String,
    /// The design's unit price, in cents.
    pub design_unit: Cents,
    /// The price used, in cents.
    pub unit: Cents,
}

/// The data-drive swap of a what-if.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveChange {
    /// Names of the design's data-drive models that were replaced.
    pub replaced: Vec<String>,
    /// Part id of the drive now in every bay.
    pub part: String,
    /// Its name.
    pub name: String,
}

/// The design as written, for comparison with a what-if (per pod).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// One pod as designed, in cents.
    pub pod_total: Cents,
    /// Raw capacity and its cost as designed.
    pub raw: PerCapacity,
    /// Usable capacity and its cost as designed.
    pub usable: PerCapacity,
}

/// What the report changed from the design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// Pods in the order (1 when not asked).
    pub pods: u32,
    /// Unit prices replaced with `--price`.
    pub prices: Vec<PriceChange>,
    /// The data-drive model swapped with `--drive`.
    pub drive: Option<DriveChange>,
    /// The design as written, when prices or drives changed.
    pub baseline: Option<Baseline>,
}

/// The earliest and latest price dates on the BOM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateRange {
    /// Earliest quote date.
    pub earliest: String,
    /// Latest quote date.
    pub latest: String,
}

/// Everything `podplan bom` and `podplan cost` report for one design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Design name.
    pub design: String,
    /// Revision label.
    pub revision: Option<String>,
    /// The design file.
    pub file: String,
    /// ISO 4217 currency of every amount.
    pub currency: String,
    /// Pods in the order: quantities and totals are for this many pods.
    pub pods: u32,
    /// Earliest and latest price dates of the design's prices.
    pub price_dates: DateRange,
    /// The BOM lines, in order.
    pub lines: Vec<Line>,
    /// Totals by category, by price basis, and overall.
    pub totals: Totals,
    /// Cost per capacity and per bay (per pod).
    pub metrics: Metrics,
    /// The design as written against its published cost figures.
    pub reconciliation: Reconciliation,
    /// What the report changed from the design, when anything did.
    pub what_if: Option<WhatIf>,
}

/// What the caller asks for beyond the design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Unit prices to use instead of the design's, by part id, in cents.
    pub prices: BTreeMap<String, Cents>,
    /// Pods in the order (at least 1).
    pub pods: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prices: BTreeMap::new(),
            pods: 1,
        }
    }
}

/// Why a BOM cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BomError {
    /// A price override names a part that is not on the BOM.
    #[error("no part {part:?} on the bill of materials of {design} (its parts: {available})")]
    UnknownPart {
        /// The id given.
        part: String,
        /// The design's name.
        design: String,
        /// The part ids that are on the BOM.
        available: String,
    },
    /// A negative price override.
    #[error("the price of {0:?} cannot be negative")]
    NegativePrice(String),
    /// Zero pods.
    #[error("an order needs at least one pod")]
    ZeroPods,
    /// Quantities or amounts beyond what 64-bit cents hold.
    #[error("the bill of materials overflows: {0}")]
    Overflow(String),
    /// The design's RAID policy cannot be laid out.
    #[error("the design's RAID policy cannot be laid out: {0}")]
    Layout(#[from] layout::ShapeError),
}

/// A part with its accumulated quantity and uses, before pricing.
struct Acc {
    part: PartRef,
    data_drive: bool,
    qty: u64,
    uses: Vec<String>,
}

/// Most uses named in one line's "used for" text; more are counted, so that a part on many
/// lines keeps a readable cell (and one within a spreadsheet's 32,767-character limit).
pub const MAX_USES_LISTED: usize = 20;

/// Joins the first [`MAX_USES_LISTED`] items and says how many more there are.
fn listed(items: &[String], sep: &str) -> String {
    if items.len() <= MAX_USES_LISTED {
        return items.join(sep);
    }
    format!(
        "{}{sep}and {} more",
        items[..MAX_USES_LISTED].join(sep),
        items.len() - MAX_USES_LISTED
    )
}

/// Accumulated parts in order of appearance, looked up by (id, data drive?) and use, so that
/// designs with many lines stay linear.
#[derive(Default)]
struct Tally {
    acc: Vec<Acc>,
    index: std::collections::HashMap<(String, bool), usize>,
    uses: std::collections::HashSet<(usize, String)>,
}

impl Tally {
    fn push(&mut self, part: &PartRef, data_drive: bool, qty: u64, used_for: String) {
        let key = (part.id.clone(), data_drive);
        match self.index.get(&key) {
            Some(&k) => {
                let a = &mut self.acc[k];
                a.qty = a.qty.saturating_add(qty);
                if self.uses.insert((k, used_for.clone())) {
                    a.uses.push(used_for);
                }
            }
            None => {
                let k = self.acc.len();
                self.index.insert(key, k);
                self.uses.insert((k, used_for.clone()));
                self.acc.push(Acc {
                    part: part.clone(),
                    data_drive,
                    qty,
                    uses: vec![used_for],
                });
            }
        }
    }
}

/// Parts per pod, in order of appearance: (part, data drive?, quantity, what for).
fn quantities(pod: &Pod) -> Vec<Acc> {
    let mut t = Tally::default();
    // Data drives: one per filled bay, grouped by model.
    let mut by_model: Vec<(PartRef, Vec<u32>)> = Vec::new();
    let mut model_index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for d in &pod.drives {
        match model_index.get(d.part.id.as_str()) {
            Some(&k) => by_model[k].1.push(d.bay),
            None => {
                model_index.insert(d.part.id.as_str(), by_model.len());
                by_model.push((d.part.clone(), vec![d.bay]));
            }
        }
    }
    for (part, bays) in &by_model {
        let label = format!("data drives, bays {}", crate::bays::format_bays(bays));
        t.push(part, true, bays.len() as u64, label);
    }
    for b in &pod.boot_drives {
        let at = match b.port {
            BootPort::Sata(c, port) => match pod.controllers.get(c) {
                Some(ctl) => format!("boot drive on {} port {}", ctl.id, port + 1),
                None => "boot drive".to_string(),
            },
            BootPort::Pata => "boot drive on PATA".to_string(),
        };
        t.push(&b.part, false, 1, at);
    }
    t.push(&pod.chassis, false, 1, "enclosure".into());
    t.push(&pod.board, false, 1, "motherboard".into());
    t.push(
        &pod.cpu,
        false,
        u64::from(pod.cpus),
        if pod.cpus == 1 {
            "processor".into()
        } else {
            format!("processors, one per socket ×{}", pod.cpus)
        },
    );
    for (i, (part, qty)) in pod.memory.iter().enumerate() {
        t.push(
            part,
            false,
            u64::from(*qty),
            format!("memory (board.memory[{i}])"),
        );
    }
    let mut named: Vec<(PartRef, &'static str, Vec<String>)> = Vec::new();
    let mut note = |part: &PartRef, what: &'static str, id: String| match named
        .iter_mut()
        .find(|(p, w, _)| p.id == part.id && *w == what)
    {
        Some((_, _, ids)) => ids.push(id),
        None => named.push((part.clone(), what, vec![id])),
    };
    for c in &pod.controllers {
        if let ControllerKind::Card { part, slot } = &c.kind {
            note(part, "SATA/SAS card in", slot.id.clone());
        }
    }
    for b in &pod.backplanes {
        note(&b.part, "backplanes", b.id.clone());
    }
    for n in &pod.nic_cards {
        note(&n.part, "network card in", n.slot.id.clone());
    }
    for p in &pod.psus {
        for k in 1..=p.qty {
            note(&p.part, "power supplies", p.unit_id(k));
        }
    }
    for (part, what, ids) in named {
        t.push(
            &part,
            false,
            ids.len() as u64,
            format!("{what} {}", listed(&ids, ", ")),
        );
    }
    for f in &pod.fans {
        t.push(
            &f.part,
            false,
            u64::from(f.qty),
            format!("fan group {} ×{}", f.id, f.qty),
        );
    }
    for (i, (part, qty)) in pod.extras.iter().enumerate() {
        t.push(part, false, u64::from(*qty), format!("extras[{i}]"));
    }
    // Category order; within a category, order of appearance (the sort is stable).
    let mut acc = t.acc;
    acc.sort_by_key(|a| {
        CATEGORIES
            .iter()
            .position(|c| *c == a.part.kind.category())
            .unwrap_or(CATEGORIES.len())
    });
    acc
}

fn overflow(what: &str) -> BomError {
    BomError::Overflow(what.to_string())
}

/// The parts on the pod's bill of materials, one per line, in BOM order (a part on two lines
/// is listed twice).
pub fn parts(pod: &Pod) -> Vec<PartRef> {
    quantities(pod).into_iter().map(|a| a.part).collect()
}

/// The BOM lines of a pod with `opts` applied (price overrides, pods in the order).
pub fn lines(pod: &Pod, opts: &Options) -> Result<Vec<Line>, BomError> {
    if opts.pods == 0 {
        return Err(BomError::ZeroPods);
    }
    let acc = quantities(pod);
    for (part, unit) in &opts.prices {
        if unit.is_negative() {
            return Err(BomError::NegativePrice(part.clone()));
        }
        if !acc.iter().any(|a| a.part.id == *part) {
            let mut ids: Vec<&str> = Vec::new();
            for a in &acc {
                if !ids.contains(&a.part.id.as_str()) {
                    ids.push(a.part.id.as_str());
                }
            }
            return Err(BomError::UnknownPart {
                part: part.clone(),
                design: pod.name.clone(),
                available: ids.join(", "),
            });
        }
    }
    // A part can be on two lines (a data drive also used as a boot drive): its price break
    // is chosen by the units of the part in the whole order.
    let mut part_qty: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &acc {
        let q = a.qty.saturating_mul(u64::from(opts.pods));
        let e = part_qty.entry(a.part.id.as_str()).or_default();
        *e = e.saturating_add(q);
    }
    let mut out = Vec::with_capacity(acc.len());
    for (i, a) in acc.iter().enumerate() {
        let p = &a.part;
        let qty = a
            .qty
            .checked_mul(u64::from(opts.pods))
            .ok_or_else(|| overflow(&format!("{} × {} pods", p.id, opts.pods)))?;
        let brk = match opts.prices.get(&p.id) {
            Some(_) => None,
            None => p.price.break_for(part_qty[p.id.as_str()]),
        };
        let (unit, basis, source, date, design_unit) = match (opts.prices.get(&p.id), brk) {
            (Some(u), _) => (
                *u,
                Basis::Override,
                format!(
                    "--price on the command line; the design's price is {} [{}] {}",
                    p.price.unit,
                    p.price.source.tag(),
                    source_text(&p.price.source)
                ),
                String::new(),
                Some(p.price.unit),
            ),
            (None, Some(b)) => (
                b.unit,
                Basis::of(&b.source),
                format!(
                    "price break from {} units (list price {}): {}",
                    b.qty,
                    p.price.unit,
                    source_text(&b.source)
                ),
                b.date.clone(),
                None,
            ),
            (None, None) => (
                p.price.unit,
                Basis::of(&p.price.source),
                source_text(&p.price.source).to_string(),
                p.price.date.clone(),
                None,
            ),
        };
        let extended = unit
            .checked_mul(qty)
            .ok_or_else(|| overflow(&format!("{} × {qty} of {}", unit, p.id)))?;
        out.push(Line {
            item: i as u32 + 1,
            part: p.id.clone(),
            name: p.name.clone(),
            part_number: p.part_number.clone(),
            supplier: p.supplier.clone(),
            category: p.kind.category(),
            used_for: listed(&a.uses, "; "),
            data_drive: a.data_drive,
            qty_per_pod: a.qty,
            qty,
            unit,
            extended,
            basis,
            source,
            price_date: date,
            design_unit,
            price_break: brk.map(|b| b.qty),
        });
    }
    Ok(out)
}

fn pct(part: Cents, total: Cents) -> f64 {
    part.percent_of(total)
}

fn sum<'a>(lines: impl Iterator<Item = &'a Line>) -> Result<Cents, BomError> {
    Cents::checked_sum(lines.map(|l| l.extended)).ok_or_else(|| overflow("the total"))
}

/// Totals of a set of lines for an order of `pods` pods.
pub fn totals(lines: &[Line], pods: u32) -> Result<Totals, BomError> {
    let order_total = sum(lines.iter())?;
    let pod_total = order_total.share(pods);
    let by_category = CATEGORIES
        .iter()
        .map(|c| {
            let extended = sum(lines.iter().filter(|l| l.category == *c))?;
            Ok(CategoryTotal {
                category: *c,
                extended,
                share_pct: pct(extended, order_total),
            })
        })
        .collect::<Result<Vec<_>, BomError>>()?;
    let by_basis = Basis::ALL
        .iter()
        .map(|b| {
            let extended = sum(lines.iter().filter(|l| l.basis == *b))?;
            Ok(BasisTotal {
                basis: *b,
                lines: lines.iter().filter(|l| l.basis == *b).count() as u32,
                extended,
                share_pct: pct(extended, order_total),
            })
        })
        .collect::<Result<Vec<_>, BomError>>()?;
    let data_drives = sum(lines.iter().filter(|l| l.data_drive))?;
    let estimated = sum(lines.iter().filter(|l| l.basis == Basis::Estimated))?;
    Ok(Totals {
        pod_total,
        order_total,
        by_category,
        data_drives,
        everything_else: order_total.saturating_sub(data_drives),
        by_basis,
        estimated,
        estimated_share_pct: pct(estimated, order_total),
    })
}

/// Cost metrics of one pod costing `pod_total`, of which `data_drives` are the data drives.
pub fn metrics(pod: &Pod, pod_total: Cents, data_drives: Cents) -> Result<Metrics, BomError> {
    let shape = Shape {
        level: pod.raid.level,
        spares: pod.raid.spares,
    };
    let placement = layout::place(pod, shape, &[])?;
    let o = Overheads::for_pod(pod);
    let pipe = layout::capacity(pod, &placement.layout, &o);
    let l = &placement.layout;
    let fs = match pod.raid.filesystem {
        spec::Filesystem::Ext4 => "ext4",
        spec::Filesystem::Jfs => "JFS",
        spec::Filesystem::Xfs => "XFS",
        spec::Filesystem::Zfs => "ZFS",
        spec::Filesystem::None => "no filesystem",
    };
    let mut label = format!(
        "{} group{} of {}, {} spare{}, {fs}",
        l.groups.len(),
        if l.groups.len() == 1 { "" } else { "s" },
        shape.label(),
        l.spares.len(),
        if l.spares.len() == 1 { "" } else { "s" }
    );
    if !l.unused.is_empty() {
        label.push_str(&format!(", {} unused", l.unused.len()));
    }
    let bays = pod.bays();
    let per_bay = |c: Cents| {
        if bays == 0 {
            0.0
        } else {
            c.as_units_f64() / f64::from(bays)
        }
    };
    Ok(Metrics {
        pod_total,
        bays,
        drives: pod.drives.len() as u32,
        layout: label,
        raw: PerCapacity::of(pod_total, pod.raw_capacity()),
        before_filesystem: PerCapacity::of(pod_total, pipe.before_filesystem),
        usable: PerCapacity::of(pod_total, pipe.usable),
        vault_usable: pod
            .raid
            .vault
            .map(|v| PerCapacity::of(pod_total, layout::vault_capacity(pod, v, &o).usable)),
        vault: pod.raid.vault,
        per_bay: per_bay(pod_total),
        everything_else_per_bay: per_bay(pod_total.saturating_sub(data_drives)),
    })
}

/// Decimals written in a published number: `"7384.00"` → 2, `"7,384"` → 0, `"0.0517"` → 4.
/// `None` when the text is not a plain decimal.
fn decimals(text: &str) -> Option<(u128, u32)> {
    let t = text.trim().trim_start_matches('$').replace(',', "");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v: u128 = 0;
    for c in int.chars().chain(frac.chars()) {
        v = v
            .checked_mul(10)?
            .checked_add(u128::from(c.to_digit(10)?))?;
    }
    Some((v, u32::try_from(frac.len()).ok()?))
}

/// `n / d` rounded half up, for non-negative integers.
fn div_round(n: u128, d: u128) -> u128 {
    if d == 0 { 0 } else { (2 * n + d) / (2 * d) }
}

/// The computed total against a published total.
fn check_total(f: &Figure<Cents>, computed: Cents) -> Check<Cents> {
    let places = decimals(&f.text).map_or(2, |(_, d)| d.min(2));
    let unit = 10i64.pow(2 - places);
    let rounded = match u128::try_from(computed.cents()) {
        Ok(c) => Cents((div_round(c, unit as u128) as i64).saturating_mul(unit)),
        Err(_) => computed,
    };
    Check {
        published: f.value,
        published_text: f.text.clone(),
        source_tag: f.source.tag().to_string(),
        source: source_text(&f.source).to_string(),
        computed,
        computed_at_published_precision: rounded.to_string(),
        difference: computed.saturating_sub(f.value),
        matches: rounded == f.value,
        explanation: f.note.clone(),
    }
}

/// The computed cost per raw decimal GB against a published one.
fn check_per_gb(f: &Figure<f64>, total: Cents, raw: Bytes) -> Check<f64> {
    let computed = PerCapacity::of(total, raw).per_gb.unwrap_or(0.0);
    // Exact: round(total_cents / 100 / (raw / 10^9) × 10^d) = round(cents × 10^(d+7) / raw).
    let exact = decimals(&f.text)
        .filter(|(_, d)| *d <= 12)
        .and_then(|(published, d)| {
            let scale = 10u128.checked_pow(d + 7)?;
            let n = u128::try_from(total.cents()).ok()?.checked_mul(scale)?;
            let rounded = div_round(n, u128::from(raw.bytes()));
            Some((rounded == published, rounded, d))
        });
    let (matches, text) = match exact {
        Some((m, rounded, d)) => {
            let p = 10u128.pow(d);
            let text = if d == 0 {
                format!("{rounded}")
            } else {
                format!(
                    "{}.{:0width$}",
                    rounded / p,
                    rounded % p,
                    width = d as usize
                )
            };
            (m, text)
        }
        None => ((computed - f.value).abs() < 5e-5, format!("{computed:.4}")),
    };
    Check {
        published: f.value,
        published_text: f.text.clone(),
        source_tag: f.source.tag().to_string(),
        source: source_text(&f.source).to_string(),
        computed,
        computed_at_published_precision: text,
        difference: computed - f.value,
        matches,
        explanation: f.note.clone(),
    }
}

/// The pod's total (as designed) against its published total and $/GB.
pub(crate) fn reconcile(pod: &Pod, pod_total: Cents) -> Reconciliation {
    Reconciliation {
        total: pod
            .published
            .total_cost
            .as_ref()
            .map(|f| check_total(f, pod_total)),
        per_gb: pod
            .published
            .cost_per_gb
            .as_ref()
            .map(|f| check_per_gb(f, pod_total, pod.raw_capacity())),
    }
}

fn date_range(lines: &[Line], pod: &Pod) -> DateRange {
    let mut dates: Vec<&str> = lines
        .iter()
        .filter(|l| !l.price_date.is_empty())
        .map(|l| l.price_date.as_str())
        .collect();
    if dates.is_empty() {
        dates.push(pod.chassis.price.date.as_str());
    }
    dates.sort_unstable();
    DateRange {
        earliest: dates.first().copied().unwrap_or_default().to_string(),
        latest: dates.last().copied().unwrap_or_default().to_string(),
    }
}

fn drive_models(pod: &Pod) -> Vec<PartRef> {
    let mut out: Vec<PartRef> = Vec::new();
    for d in &pod.drives {
        if !out.iter().any(|p| p.id == d.part.id) {
            out.push(d.part.clone());
        }
    }
    out
}

/// The full report for `design`, or for `variant` (the same design with its data drives
/// swapped) when given, with `opts` applied. The reconciliation is always of the design as
/// written, without what-ifs; the what-if section compares the two.
pub fn report(design: &Pod, variant: Option<&Pod>, opts: &Options) -> Result<Report, BomError> {
    let pod = variant.unwrap_or(design);
    let lines = lines(pod, opts)?;
    let totals = totals(&lines, opts.pods)?;
    let per_pod_drives = totals.data_drives.share(opts.pods);
    let metrics = metrics(pod, totals.pod_total, per_pod_drives)?;
    let changed = variant.is_some() || !opts.prices.is_empty();
    let (reconciliation, baseline) = if changed {
        let base_lines = self::lines(design, &Options::default())?;
        let base = self::totals(&base_lines, 1)?;
        let base_metrics = self::metrics(design, base.pod_total, base.data_drives)?;
        (
            reconcile(design, base.pod_total),
            Some(Baseline {
                pod_total: base.pod_total,
                raw: base_metrics.raw,
                usable: base_metrics.usable,
            }),
        )
    } else {
        (reconcile(design, totals.pod_total), None)
    };
    let prices = opts
        .prices
        .iter()
        .filter_map(|(id, unit)| {
            lines.iter().find(|l| l.part == *id).map(|l| PriceChange {
                part: id.clone(),
                name: l.name.clone(),
                design_unit: l.design_unit.unwrap_or(*unit),
                unit: *unit,
            })
        })
        .collect();
    let drive = variant.and_then(|v| {
        let now = drive_models(v);
        let before = drive_models(design);
        let part = now.first()?;
        Some(DriveChange {
            replaced: before.iter().map(|p| p.name.clone()).collect(),
            part: part.id.clone(),
            name: part.name.clone(),
        })
    });
    let what_if = (changed || opts.pods > 1).then_some(WhatIf {
        pods: opts.pods,
        prices,
        drive,
        baseline,
    });
    let currency = pod.chassis.price.currency.clone();
    Ok(Report {
        design: pod.name.clone(),
        revision: pod.revision.clone(),
        file: pod.file.clone(),
        currency,
        pods: opts.pods,
        price_dates: date_range(&lines, pod),
        lines,
        totals,
        metrics,
        reconciliation,
        what_if,
    })
}

/// A report's pod total and cost per usable capacity with the unit prices in `prices` instead
/// (a part of `prices` that is not on the BOM is ignored): what [`report`] gives for the same
/// pod with those prices, from its lines, without building them again (the sweep prices one
/// layout many times).
pub fn repriced(
    report: &Report,
    prices: &BTreeMap<String, Cents>,
) -> Result<(Cents, PerCapacity), BomError> {
    let extended = report.lines.iter().map(|l| match prices.get(&l.part) {
        None => Ok(l.extended),
        Some(unit) => unit
            .checked_mul(l.qty)
            .ok_or_else(|| overflow(&format!("{} × {} of {}", unit, l.qty, l.part))),
    });
    let mut order_total = Cents::ZERO;
    for e in extended {
        order_total = order_total
            .checked_add(e?)
            .ok_or_else(|| overflow("the total"))?;
    }
    let pod_total = order_total.share(report.pods);
    Ok((
        pod_total,
        PerCapacity::of(pod_total, report.metrics.usable.bytes),
    ))
}

/// Replaces the data-drive model of every filled bay with the part `id`, at the spec level, so
/// validation re-checks the result (interfaces, capacity, RAID) like any design.
pub(crate) fn swap_drive(
    loaded: &crate::load::Loaded,
    id: &str,
) -> Result<crate::load::Loaded, SwapError> {
    let all = loaded
        .catalogs
        .iter()
        .flat_map(|(_, c)| c.parts.iter())
        .chain(loaded.design.parts.iter());
    let mut drives = Vec::new();
    let mut found = None;
    for p in all {
        if let spec::PartSpec::Drive(d) = &p.spec {
            drives.push(format!("{} ({})", p.id, d.capacity));
        }
        if p.id == id {
            found = Some(p);
        }
    }
    match found {
        None => Err(SwapError::Unknown {
            part: id.to_string(),
            drives: drives.join(", "),
        }),
        Some(p) if !matches!(p.spec, spec::PartSpec::Drive(_)) => Err(SwapError::NotADrive {
            part: id.to_string(),
            role: role_name(&p.spec).to_string(),
            drives: drives.join(", "),
        }),
        Some(_) => {
            let mut out = loaded.clone();
            for fill in &mut out.design.drives {
                fill.part = id.to_string();
            }
            Ok(out)
        }
    }
}

fn role_name(s: &spec::PartSpec) -> &'static str {
    use spec::PartSpec::*;
    match s {
        Drive(_) => "Drive",
        Backplane(_) => "Backplane",
        HostCard(_) => "HostCard",
        NicCard(_) => "NicCard",
        Motherboard(_) => "Motherboard",
        Cpu(_) => "Cpu",
        Memory(_) => "Memory",
        Psu(_) => "Psu",
        Chassis(_) => "Chassis",
        Fan(_) => "Fan",
        Other(_) => "Other",
    }
}

/// Why a drive swap is not possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwapError {
    /// No part with that id in the design or its catalogs.
    #[error("no part {part:?} in the design or its catalogs (drives there: {drives})")]
    Unknown {
        /// The id given.
        part: String,
        /// The drive parts that are there, with their capacities.
        drives: String,
    },
    /// The part is not a drive.
    #[error("{part:?} is a {role} part, not a drive (drives there: {drives})")]
    NotADrive {
        /// The id given.
        part: String,
        /// Its role.
        role: String,
        /// The drive parts that are there.
        drives: String,
    },
}

/// `bom-drift`: a warning when the BOM of the design as written does not add up to its
/// published total at the published precision.
pub fn lint(pod: &Pod) -> Vec<Diagnostic> {
    let Some(f) = &pod.published.total_cost else {
        return Vec::new();
    };
    let total = lines(pod, &Options::default()).and_then(|l| totals(&l, 1));
    let message = match total {
        Err(e) => format!("the BOM total cannot be computed: {e}"),
        Ok(t) => {
            let c = check_total(f, t.pod_total);
            if c.matches {
                return Vec::new();
            }
            let sign = if c.difference > Cents::ZERO { "+" } else { "" };
            format!(
                "the bill of materials adds up to {} but the published total is {} ({sign}{}); fix the line prices or quantities, or explain the difference in the figure's note (see `podplan cost`)",
                c.computed, c.published, c.difference
            )
        }
    };
    vec![Diagnostic::warning(
        Code::BomDrift,
        &pod.file,
        "published.total_cost",
        message,
    )]
}
