//! The `show` result: the physical tree and a summary of one pod, as one serializable value.
//!
//! This module owns what `podplan show` reports: it walks a validated `Pod` and the power
//! budget into a `ShowReport`. It computes descriptions and counts, not physics (that is the
//! engines'), and it does not format tables (that is `render`).

use crate::bays::format_bays;
use crate::model::{
    Attached, Attachment, BootPort, Controller, ControllerKind, Kind, Load, Pod, Psu,
};
use crate::power::{PowerBudget, PsuBudget, budget};
use crate::spec::{BackplaneKind, Bus, ChipsetLink, Filesystem, Level, PmSupport};
use crate::units::Bytes;
use serde::Serialize;
use std::collections::BTreeMap;

/// A node of the topology tree: a label and its children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreeNode {
    /// What the node is (`pod`, `board`, `slot`, `port`, `backplane`, `drives`, `psu`, …).
    pub kind: String,
    /// One line describing it.
    pub label: String,
    /// What hangs below it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    fn new(kind: &str, label: impl Into<String>) -> Self {
        TreeNode {
            kind: kind.to_string(),
            label: label.into(),
            children: Vec::new(),
        }
    }
}

/// A capacity shown in both unit systems.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capacity {
    /// Exact bytes.
    pub bytes: Bytes,
    /// Decimal terabytes (10^12 B).
    pub tb: f64,
    /// Binary tebibytes (2^40 B).
    pub tib: f64,
}

impl From<Bytes> for Capacity {
    fn from(b: Bytes) -> Self {
        Capacity {
            bytes: b,
            tb: b.tb(),
            tib: b.tib(),
        }
    }
}

/// A part and how many of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartCount {
    /// Part id.
    pub id: String,
    /// Part name.
    pub name: String,
    /// How many.
    pub count: u32,
    /// Short description of the role-specific facts.
    pub detail: String,
}

/// A network controller: an onboard port, or a card with its ports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NicPort {
    /// Where it is (`onboard` or a slot id).
    pub location: String,
    /// Number of ports of this speed.
    pub ports: u32,
    /// Controller or card name.
    pub name: String,
    /// Speed, Gb/s.
    pub gbit_s: f64,
}

/// A published raw capacity next to the design's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedRaw {
    /// As published, decimal TB.
    pub published_tb: String,
    /// Source tag (P, T, D, E) and reference.
    pub source: String,
    /// Whether the drives add up to it exactly.
    pub matches: bool,
}

/// The summary table's facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Chassis name, height and bays.
    pub chassis: String,
    /// Data drives by model.
    pub drives: Vec<PartCount>,
    /// Number of data drives.
    pub drive_count: u32,
    /// Raw capacity: sum of the drives as sold.
    pub raw: Capacity,
    /// Chassis bays.
    pub bays: u32,
    /// Bays holding a data drive.
    pub bays_used: u32,
    /// Bays free.
    pub bays_free: u32,
    /// Backplanes by model.
    pub backplanes: Vec<PartCount>,
    /// Host cards by model.
    pub host_cards: Vec<PartCount>,
    /// Motherboard.
    pub board: String,
    /// CPU.
    pub cpu: String,
    /// Installed memory.
    pub memory: Capacity,
    /// Boot drives.
    pub boot_drives: Vec<String>,
    /// Network ports.
    pub nics: Vec<NicPort>,
    /// PSUs by model.
    pub psus: Vec<PartCount>,
    /// RAID policy in words.
    pub raid: String,
    /// Published raw capacity check.
    pub published_raw: Option<PublishedRaw>,
    /// Parts in this design whose price is an estimate.
    pub estimated_prices: u32,
    /// Distinct parts in this design.
    pub distinct_parts: u32,
    /// Spec fields marked as estimates across the design's parts.
    pub estimated_facts: u32,
}

/// Everything `podplan show` reports for one design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShowReport {
    /// Design name.
    pub design: String,
    /// Revision.
    pub revision: Option<String>,
    /// File it came from.
    pub file: String,
    /// The physical tree.
    pub tree: TreeNode,
    /// The summary.
    pub summary: Summary,
    /// The power budget.
    pub power: PowerBudget,
}

fn pm_label(p: PmSupport) -> &'static str {
    match p {
        PmSupport::None => "no PM support",
        PmSupport::Command => "command-based PM",
        PmSupport::Fis => "FIS-based PM",
    }
}

fn capacity_label(b: Bytes) -> String {
    let tb = b.tb();
    if tb >= 1.0 {
        format!("{} TB", trim_float(tb))
    } else {
        format!("{} GB", trim_float(b.0 as f64 / 1e9))
    }
}

pub(crate) use crate::units::trim_float;

/// Describes the RAID policy in words.
pub(crate) fn raid_label(pod: &Pod) -> String {
    let r = &pod.raid;
    let level = match r.level {
        Level::Stripe { width } => format!("RAID0 stripe, {width} wide"),
        Level::Mirror { copies } => format!("{copies}-way mirror"),
        Level::Raid10 { width, copies } => format!("RAID10, {width} wide, {copies} copies"),
        Level::Raid5 { width } => format!("RAID5, {width} wide ({}+1)", width - 1),
        Level::Raid6 { width } => format!("RAID6, {width} wide ({}+2)", width - 2),
        Level::Erasure { data, parity } => format!("erasure {data}+{parity}"),
        Level::RaidZ { parity, width } => format!("RAIDZ{parity} {width} wide"),
        Level::Draid {
            parity,
            data,
            children,
            spares,
        } => format!(
            "dRAID{parity}, {children} disks, groups of {data}+{parity}, {spares} distributed spares"
        ),
    };
    let fs = match r.filesystem {
        Filesystem::Ext4 => "ext4",
        Filesystem::Jfs => "JFS",
        Filesystem::Xfs => "XFS",
        Filesystem::Zfs => "ZFS",
        Filesystem::None => "no filesystem",
    };
    let groups = if r.groups.is_empty() {
        "groups assigned by the layout engine".to_string()
    } else {
        let list: Vec<String> = r.groups.iter().map(|g| format_bays(g)).collect();
        format!("{} groups (bays {})", r.groups.len(), list.join(" | "))
    };
    let vault = r
        .vault
        .map(|v| {
            format!(
                "; Vault {}+{} across {} pods",
                v.data,
                v.parity,
                v.data.saturating_add(v.parity)
            )
        })
        .unwrap_or_default();
    format!("{level}, {} spares, {groups}, {fs}{vault}", r.spares)
}

fn count_parts<'a>(
    items: impl Iterator<Item = (&'a crate::model::PartRef, u32)>,
    detail: impl Fn(&Kind) -> String,
) -> Vec<PartCount> {
    let mut map: BTreeMap<String, PartCount> = BTreeMap::new();
    for (p, n) in items {
        map.entry(p.id.clone())
            .and_modify(|c| c.count += n)
            .or_insert_with(|| PartCount {
                id: p.id.clone(),
                name: p.name.clone(),
                count: n,
                detail: detail(&p.kind),
            });
    }
    map.into_values().collect()
}

fn backplane_detail(k: &Kind) -> String {
    match k {
        Kind::Backplane(b) => {
            let kind = match b.kind {
                BackplaneKind::PortMultiplier(PmSupport::Fis) => {
                    "port multiplier, FIS-based".to_string()
                }
                BackplaneKind::PortMultiplier(_) => "port multiplier, command-based".to_string(),
                BackplaneKind::Expander => format!("SAS expander, x{} uplink", b.uplink_lanes),
                BackplaneKind::Passive => "passive".to_string(),
            };
            let mut more = String::new();
            if b.uplinks > 1 {
                more.push_str(&format!(
                    ", {} uplinks of x{}",
                    b.uplinks,
                    b.uplink_lanes / b.uplinks.max(1)
                ));
            }
            if b.paths > 1 {
                more.push_str(&format!(", {} host paths", b.paths));
            }
            format!(
                "{}, {kind}, {} bays, {}{more}",
                b.chip,
                b.drive_ports,
                b.uplink.label()
            )
        }
        _ => String::new(),
    }
}

fn card_detail(k: &Kind) -> String {
    match k {
        Kind::HostCard(c) => format!(
            "{}, {} × {}, {}, {}",
            c.chipset,
            c.ports,
            c.link.label(),
            pm_label(c.pm_support),
            c.host_bus.label()
        ),
        _ => String::new(),
    }
}

fn drive_detail(k: &Kind) -> String {
    match k {
        Kind::Drive(d) => format!(
            "{}, {}, {} rpm",
            capacity_label(d.capacity),
            d.interface.label(),
            d.rpm
        ),
        _ => String::new(),
    }
}

/// Drive runs under one attachment: `bays 1-5 · 5 × name (3 TB)`, split where the model changes.
fn drive_nodes(pod: &Pod, bays: &[u32]) -> Vec<TreeNode> {
    let mut runs: Vec<(String, String, Vec<u32>)> = Vec::new();
    let mut empty = Vec::new();
    for b in bays {
        match pod.drives.iter().find(|d| d.bay == *b) {
            Some(d) => match runs.last_mut() {
                Some(r) if r.0 == d.part.id => r.2.push(*b),
                _ => runs.push((
                    d.part.id.clone(),
                    format!(
                        "{} ({})",
                        short(&d.part),
                        capacity_label(d.drive().capacity)
                    ),
                    vec![*b],
                )),
            },
            None => empty.push(*b),
        }
    }
    let mut out: Vec<TreeNode> = runs
        .into_iter()
        .map(|(_, name, bays)| {
            let label = format!(
                "{} {} · {} × {name}",
                if bays.len() == 1 { "bay" } else { "bays" },
                format_bays(&bays),
                bays.len()
            );
            TreeNode::new("drives", label)
        })
        .collect();
    if !empty.is_empty() {
        out.push(TreeNode::new(
            "empty-bays",
            format!("bays {} · empty", format_bays(&empty)),
        ));
    }
    out
}

/// The processor as the tree and summary name it: `Xeon Silver 4210`, `2 × Xeon Silver 4210`.
fn cpu_label(pod: &Pod) -> String {
    if pod.cpus == 1 {
        pod.cpu.name.clone()
    } else {
        format!("{} × {}", pod.cpus, pod.cpu.name)
    }
}

/// A part's short name for the tree: its part number, or its name when it has none.
fn short(p: &crate::model::Part) -> &str {
    p.part_number.as_deref().unwrap_or(&p.name)
}

/// The physical tree of a pod: the board with everything on it, then the PSUs and the fans.
fn tree(pod: &Pod, power: &PowerBudget) -> TreeNode {
    let (chassis_line, _) = chassis_line(pod);
    let mut root = TreeNode::new("pod", format!("{} · {chassis_line}", pod.name));
    root.children.push(board_node(pod));
    for (psu, b) in pod.psus.iter().zip(&power.psus) {
        root.children.push(psu_node(pod, psu, b));
    }
    for f in &pod.fans {
        root.children.push(TreeNode::new(
            "fans",
            format!("{} · {} × {}", f.id, f.qty, f.part.name),
        ));
    }
    root
}

/// The board node: its header line (chipset link, CPU, RAM), then the slots and cards with
/// their ports, the NIC cards, the PATA boot drives and the onboard NICs, in that order.
fn board_node(pod: &Pod) -> TreeNode {
    let board_spec = pod.board_spec();
    let link = board_spec.map_or("", |b| match b.chipset_link {
        ChipsetLink::Dmi1 => "DMI 1.0",
        ChipsetLink::Dmi2 => "DMI 2.0",
        ChipsetLink::Dmi3 => "DMI 3.0",
        ChipsetLink::None => "no chipset link",
    });
    let mem = memory_bytes(pod);
    let mut board = TreeNode::new(
        "board",
        format!(
            "board {} ({}, {link}) · CPU {} · {} GiB RAM",
            pod.board.name,
            board_spec.map_or("", |b| b.chipset.as_str()),
            cpu_label(pod),
            trim_float(mem.tib() * 1024.0)
        ),
    );
    for c in &pod.controllers {
        board.children.push(controller_node(pod, c));
    }
    for n in &pod.nic_cards {
        if let Kind::NicCard(c) = &n.part.kind {
            board.children.push(TreeNode::new(
                "slot",
                format!(
                    "{} ({}, {}) · {} · {} × {} Gb/s Ethernet on {}",
                    n.slot.id,
                    n.slot.bus.label(),
                    attach_label(n.slot.attach),
                    n.part.name,
                    c.ports,
                    trim_float(c.gbit_s),
                    c.host_bus.label()
                ),
            ));
        }
    }
    for b in pod
        .boot_drives
        .iter()
        .filter(|b| matches!(b.port, BootPort::Pata))
    {
        board.children.push(TreeNode::new(
            "pata",
            format!("PATA · boot drive {}", short(&b.part)),
        ));
    }
    if let Some(bs) = board_spec {
        for nic in &bs.nics {
            board.children.push(TreeNode::new(
                "nic",
                format!(
                    "onboard NIC · {}, {} Gb/s ({})",
                    nic.controller,
                    trim_float(nic.gbit_s),
                    attach_label(nic.attach)
                ),
            ));
        }
    }
    board
}

/// One storage controller (a card in a slot, or the onboard SATA) with its ports: what each
/// attachment carries, runs of empty ports merged into one line, and the unused ports after
/// the last attachment.
fn controller_node(pod: &Pod, c: &Controller) -> TreeNode {
    let label = match &c.kind {
        ControllerKind::Card { slot, part } => format!(
            "{} ({}, {}) · {} · {}, {} × {}, {}, runs at {}",
            slot.id,
            slot.bus.label(),
            attach_label(slot.attach),
            part.name,
            match &part.kind {
                Kind::HostCard(h) => h.chipset.as_str(),
                _ => "",
            },
            c.ports,
            c.link.label(),
            pm_label(c.pm_support),
            c.host_bus.map_or("?".to_string(), Bus::label)
        ),
        ControllerKind::Onboard { controller } => format!(
            "onboard SATA · {controller}, {} × {}, {} ({})",
            c.ports,
            c.link.label(),
            pm_label(c.pm_support),
            attach_label(c.attach)
        ),
    };
    let mut node = TreeNode::new(if c.id == "onboard" { "onboard" } else { "slot" }, label);
    let mut next = 0;
    for a in &c.attachments {
        next = a.first_port + a.ports;
        let merge = matches!(a.what, Attached::Empty)
            && node
                .children
                .last()
                .is_some_and(|l| l.label.ends_with(" · empty") && l.kind == "port");
        if merge {
            if let Some(last) = node.children.last_mut() {
                let first = last
                    .label
                    .trim_start_matches("ports ")
                    .trim_start_matches("port ")
                    .split([' ', '-'])
                    .next()
                    .unwrap_or("")
                    .to_string();
                last.label = format!("ports {first}-{} · empty", a.first_port);
            }
        } else {
            node.children.push(attachment_node(pod, a));
        }
    }
    if next < c.ports {
        let label = if c.ports - next > 1 {
            format!("ports {}-{} · unused", next, c.ports - 1)
        } else {
            format!("port {next} · unused")
        };
        node.children.push(TreeNode::new("port", label));
    }
    node
}

/// What one run of a controller's ports carries: nothing, a boot drive, direct-wired drive
/// bays, or a backplane with its bays.
fn attachment_node(pod: &Pod, a: &Attachment) -> TreeNode {
    let ports = if a.ports > 1 {
        format!("ports {}-{}", a.first_port, a.first_port + a.ports - 1)
    } else {
        format!("port {}", a.first_port)
    };
    match &a.what {
        Attached::Empty => TreeNode::new("port", format!("{ports} · empty")),
        Attached::Boot(k) => TreeNode::new(
            "port",
            format!("{ports} · boot drive {}", short(&pod.boot_drives[*k].part)),
        ),
        Attached::Direct(bays) => {
            let mut n = TreeNode::new("port", format!("{ports} · direct-wired"));
            n.children = drive_nodes(pod, bays);
            n
        }
        Attached::Backplane(k) => backplane_node(pod, *k, &ports),
        Attached::Path(k) => TreeNode::new(
            "port",
            format!("{ports} · further path to {}", pod.backplanes[*k].id),
        ),
    }
}

/// A backplane with its bays and the backplanes cascaded from its downstream port.
fn backplane_node(pod: &Pod, k: usize, at: &str) -> TreeNode {
    let bp = &pod.backplanes[k];
    let mut n = TreeNode::new(
        "backplane",
        format!(
            "{at} · {} {} ({})",
            bp.id,
            short(&bp.part),
            backplane_detail(&bp.part.kind)
        ),
    );
    n.children = drive_nodes(pod, &bp.bays);
    for (j, b) in pod.backplanes.iter().enumerate() {
        if b.upstream == Some(k) && j != k {
            n.children
                .push(backplane_node(pod, j, &format!("cascaded from {}", bp.id)));
        }
    }
    n
}

/// One PSU: its part, its rated watts and what it feeds (board, backplanes, fans, bays).
fn psu_node(pod: &Pod, psu: &Psu, b: &PsuBudget) -> TreeNode {
    let mut feeds: Vec<String> = Vec::new();
    let mut bays: Vec<u32> = Vec::new();
    for l in &psu.loads {
        match l {
            Load::Board => feeds.push("board".into()),
            Load::Backplane(k) => feeds.push(pod.backplanes[*k].id.clone()),
            Load::Fans(k) => feeds.push(pod.fans[*k].id.clone()),
            Load::Bay(x) => bays.push(*x),
        }
    }
    if !bays.is_empty() {
        feeds.push(format!("bays {}", format_bays(&bays)));
    }
    let feeds = if feeds.is_empty() {
        "feeds nothing".to_string()
    } else {
        format!("feeds {}", feeds.join(", "))
    };
    let units = match (psu.qty, psu.spares) {
        (1, _) => String::new(),
        (n, 0) => format!("{n} × "),
        (n, k) => format!("{n} × (N+{k}) "),
    };
    TreeNode::new(
        "psu",
        format!(
            "{} {units}{} ({} W) · {feeds}",
            psu.id,
            psu.part.name,
            trim_float(b.rated_w.watts()),
        ),
    )
}

fn attach_label(a: crate::spec::Attach) -> &'static str {
    match a {
        crate::spec::Attach::Cpu => "CPU lanes",
        crate::spec::Attach::Chipset => "behind chipset",
    }
}

fn chassis_line(pod: &Pod) -> (String, u32) {
    match &pod.chassis.kind {
        Kind::Chassis(c) => (
            format!(
                "{} ({}U, {} bays, {} in deep)",
                pod.chassis.name,
                c.rack_units,
                c.bays,
                trim_float(c.depth_in)
            ),
            c.bays,
        ),
        _ => (pod.chassis.name.clone(), 0),
    }
}

fn memory_bytes(pod: &Pod) -> Bytes {
    pod.memory
        .iter()
        .fold(Bytes(0), |acc, (p, q)| match &p.kind {
            Kind::Memory(m) => acc.saturating_add(
                m.module_size
                    .saturating_mul(u64::from(m.modules) * u64::from(*q)),
            ),
            _ => acc,
        })
}

/// Builds the `show` report of a validated pod.
pub fn report(pod: &Pod) -> ShowReport {
    let power = budget(pod);
    let (chassis, bays) = chassis_line(pod);
    let drive_count = pod.drives.len() as u32;
    let raw = pod.raw_capacity();
    let mut used: BTreeMap<String, crate::model::PartRef> = BTreeMap::new();
    let mut add = |p: &crate::model::PartRef| {
        used.insert(p.id.clone(), p.clone());
    };
    add(&pod.chassis);
    add(&pod.board);
    add(&pod.cpu);
    pod.memory.iter().for_each(|(p, _)| add(p));
    pod.drives.iter().for_each(|d| add(&d.part));
    pod.backplanes.iter().for_each(|b| add(&b.part));
    pod.boot_drives.iter().for_each(|b| add(&b.part));
    pod.psus.iter().for_each(|p| add(&p.part));
    pod.fans.iter().for_each(|f| add(&f.part));
    pod.extras.iter().for_each(|(p, _)| add(p));
    pod.nic_cards.iter().for_each(|n| add(&n.part));
    for c in &pod.controllers {
        if let ControllerKind::Card { part, .. } = &c.kind {
            add(part);
        }
    }
    let estimated_prices = used
        .values()
        .filter(|p| p.price.source.is_estimate())
        .count() as u32;
    let estimated_facts = used
        .values()
        .map(|p| p.estimated_fields().count() as u32)
        .sum();
    let mut nics = Vec::new();
    if let Some(b) = pod.board_spec() {
        for n in &b.nics {
            nics.push(NicPort {
                location: "onboard".into(),
                ports: 1,
                name: n.controller.clone(),
                gbit_s: n.gbit_s,
            });
        }
    }
    for n in &pod.nic_cards {
        if let Kind::NicCard(c) = &n.part.kind {
            nics.push(NicPort {
                location: n.slot.id.clone(),
                ports: c.ports,
                name: n.part.name.clone(),
                gbit_s: c.gbit_s,
            });
        }
    }
    let cards = pod.controllers.iter().filter_map(|c| match &c.kind {
        ControllerKind::Card { part, .. } => Some((part, 1)),
        ControllerKind::Onboard { .. } => None,
    });
    let summary = Summary {
        chassis,
        drives: count_parts(pod.drives.iter().map(|d| (&d.part, 1)), drive_detail),
        drive_count,
        raw: raw.into(),
        bays,
        bays_used: drive_count,
        bays_free: bays.saturating_sub(drive_count),
        backplanes: count_parts(
            pod.backplanes.iter().map(|b| (&b.part, 1)),
            backplane_detail,
        ),
        host_cards: count_parts(cards, card_detail),
        board: pod.board.name.clone(),
        cpu: cpu_label(pod),
        memory: memory_bytes(pod).into(),
        boot_drives: pod
            .boot_drives
            .iter()
            .map(|b| b.part.name.clone())
            .collect(),
        nics,
        psus: count_parts(pod.psus.iter().map(|p| (&p.part, p.qty)), |k| match k {
            Kind::Psu(p) => format!(
                "{} W, +12 V {} A, {}",
                trim_float(p.watts),
                trim_float(p.rail_12v_a),
                p.rail_5v_a.map_or("no +5 V".to_string(), |a| format!(
                    "+5 V {} A",
                    trim_float(a)
                ))
            ),
            _ => String::new(),
        }),
        raid: raid_label(pod),
        published_raw: pod.published.raw.as_ref().map(|f| PublishedRaw {
            published_tb: f.text.clone(),
            source: source_ref(&f.source),
            matches: f.value == raw,
        }),
        estimated_prices,
        distinct_parts: used.len() as u32,
        estimated_facts,
    };
    ShowReport {
        design: pod.name.clone(),
        revision: pod.revision.clone(),
        file: pod.file.clone(),
        tree: tree(pod, &power),
        summary,
        power,
    }
}

/// `\[P\] https://…` style reference for a source.
pub(crate) fn source_ref(s: &crate::spec::Source) -> String {
    use crate::spec::Source::*;
    match s {
        Published(u) | ThirdParty(u) | Derived(u) | Estimated(u) => format!("[{}] {u}", s.tag()),
    }
}
