//! The design edits of the sweep's variations: each takes a design (as loaded, before
//! validation) and changes one choice the way a buyer would make it — another data drive, the
//! first N bays filled, another host-card model or count, a NIC card — so that the result is a
//! design file like any other, which validation then checks. An edit that cannot be made at all
//! (no free slot for a card) says why, with a code of its own (`sweep-…`).

use super::Invalid;
use crate::bays::parse_bays;
use crate::load::Loaded;
use crate::spec::{CardUse, DriveFill, Feeds, PartSpec, PortUse, SlotSpec, SlotUse};
use std::collections::BTreeSet;

/// `nic=onboard`: no NIC card, the board's own ports.
pub const ONBOARD: &str = "onboard";

/// A part of the design or its catalogs, by id.
pub(super) fn part_ref<'a>(l: &'a Loaded, id: &str) -> Option<&'a crate::spec::Part> {
    l.design
        .parts
        .iter()
        .chain(l.catalogs.iter().flat_map(|(_, c)| c.parts.iter()))
        .find(|p| p.id == id)
}

/// A part of the design or its catalogs, mutably, by id.
pub(super) fn part_mut<'a>(l: &'a mut Loaded, id: &str) -> Option<&'a mut crate::spec::Part> {
    let Loaded {
        design, catalogs, ..
    } = l;
    design
        .parts
        .iter_mut()
        .chain(catalogs.iter_mut().flat_map(|(_, c)| c.parts.iter_mut()))
        .find(|p| p.id == id)
}

fn spec<'a>(l: &'a Loaded, id: &str) -> Option<&'a PartSpec> {
    part_ref(l, id).map(|p| &p.spec)
}

/// Whether `id` is a host card (HBA) of the design or its catalogs.
pub(super) fn is_host_card(l: &Loaded, id: &str) -> bool {
    matches!(spec(l, id), Some(PartSpec::HostCard(_)))
}

/// Whether `id` is a NIC card of the design or its catalogs.
pub(super) fn is_nic_card(l: &Loaded, id: &str) -> bool {
    matches!(spec(l, id), Some(PartSpec::NicCard(_)))
}

/// How many bays the design fills with data drives (a fill that does not read counts none:
/// validation reports it).
pub(super) fn filled_bays(l: &Loaded) -> usize {
    l.design
        .drives
        .iter()
        .map(|f| parse_bays(&f.bays).map_or(0, |b| b.len()))
        .sum()
}

/// The host cards in the design's slots, as slot indexes.
fn host_slots(l: &Loaded) -> Vec<usize> {
    (0..l.design.slots.len())
        .filter(|i| is_host_card(l, &l.design.slots[*i].card.part))
        .collect()
}

/// The design's host cards.
pub(super) fn host_card_count(l: &Loaded) -> usize {
    host_slots(l).len()
}

/// The board's slots that hold no card, in the board's order.
fn free_slots(l: &Loaded) -> Vec<SlotSpec> {
    let Some(PartSpec::Motherboard(m)) = spec(l, &l.design.board.part) else {
        return Vec::new();
    };
    let used: BTreeSet<&str> = l.design.slots.iter().map(|s| s.slot.as_str()).collect();
    m.slots
        .iter()
        .filter(|s| !used.contains(s.id.as_str()))
        .cloned()
        .collect()
}

/// `bays=N`: the first `n` bays hold the data drive (that of the lowest filled bay), the rest
/// stay empty. A buyer filling part of a chassis does not buy the backplanes that would serve
/// only empty bays, nor a host card left with nothing on its ports: those are left out (and
/// out of the PSUs' feeds). The chassis, board, PSUs, fans and the design's other lines stay.
pub(super) fn fill_first(l: &mut Loaded, n: u32) -> Result<(), Invalid> {
    if filled_bays(l) == n as usize {
        return Ok(());
    }
    if let Some(PartSpec::Chassis(c)) = spec(l, &l.design.chassis)
        && n > c.bays
    {
        return Err(Invalid::new(
            "sweep-bays",
            format!("bays={n}: the chassis has {} bays", c.bays),
        ));
    }
    let lowest = l
        .design
        .drives
        .iter()
        .filter_map(|f| Some((*parse_bays(&f.bays).ok()?.first()?, f.part.clone())))
        .min();
    let Some((_, part)) = lowest else {
        return Err(Invalid::new(
            "sweep-bays",
            format!("bays={n}: the base design fills no bay to copy the drive from"),
        ));
    };
    let bays = if n == 1 { "1".into() } else { format!("1-{n}") };
    l.design.drives = vec![DriveFill { bays, part }];
    let serves = |bays: &str| parse_bays(bays).map_or(true, |b| b.iter().any(|x| *x <= n));
    let host: BTreeSet<usize> = host_slots(l).into_iter().collect();
    let mut dropped = BTreeSet::new();
    let mut emptied = BTreeSet::new();
    let onboard = l.design.board.onboard.iter_mut().map(|p| (None, p));
    let slots = l
        .design
        .slots
        .iter_mut()
        .enumerate()
        .flat_map(|(i, s)| s.card.ports.iter_mut().map(move |p| (Some(i), p)));
    for (slot, port) in onboard.chain(slots) {
        if let PortUse::Backplane { id, bays, .. } = port
            && !serves(bays)
        {
            dropped.insert(id.clone());
            *port = PortUse::Empty;
            emptied.extend(slot);
        }
    }
    let mut i = 0;
    l.design.slots.retain(|s| {
        let keep = !(host.contains(&i)
            && emptied.contains(&i)
            && s.card.ports.iter().all(|p| *p == PortUse::Empty));
        i += 1;
        keep
    });
    for psu in &mut l.design.psus {
        if let Feeds::Only(ids) = &mut psu.feeds {
            ids.retain(|id| !dropped.contains(id));
        }
    }
    Ok(())
}

/// `card=PART`: every host card becomes `part`, on the same ports; empty port entries beyond
/// the new card's ports are dropped (attachments beyond them stay, for validation to refuse).
pub(super) fn set_card_model(l: &mut Loaded, part: &str) {
    let ports = match spec(l, part) {
        Some(PartSpec::HostCard(c)) => c.ports as usize,
        _ => usize::MAX,
    };
    for i in host_slots(l) {
        let card = &mut l.design.slots[i].card;
        card.part = part.to_string();
        while card.ports.len() > ports && card.ports.last() == Some(&PortUse::Empty) {
            card.ports.pop();
        }
    }
}

/// `cards=N`: the backplanes (and direct or boot drives) on the host cards, in order, shared
/// among `n` cards of the first card's model, as evenly as they go (the first cards take one
/// more), in the slots the cards held and then the board's free slots, in the board's order.
pub(super) fn set_card_count(l: &mut Loaded, n: u32) -> Result<(), Invalid> {
    let host = host_slots(l);
    let Some(first) = host.first() else {
        return Err(Invalid::new(
            "sweep-cards",
            format!("cards={n}: the base design has no host card to repeat"),
        ));
    };
    if host.len() == n as usize {
        return Ok(());
    }
    let model = l.design.slots[*first].card.part.clone();
    let attached: Vec<PortUse> = host
        .iter()
        .flat_map(|i| l.design.slots[*i].card.ports.iter())
        .filter(|p| **p != PortUse::Empty)
        .cloned()
        .collect();
    let n = n as usize;
    if n == 0 || n > attached.len() {
        return Err(Invalid::new(
            "sweep-cards",
            format!(
                "cards={n}: give 1 to {} (the backplanes and drives on the host cards)",
                attached.len()
            ),
        ));
    }
    let mut slots: Vec<String> = host
        .iter()
        .map(|i| l.design.slots[*i].slot.clone())
        .collect();
    slots.extend(free_slots(l).into_iter().map(|s| s.id));
    if slots.len() < n {
        return Err(Invalid::new(
            "sweep-no-free-slot",
            format!(
                "cards={n}: the board has {} slots for host cards",
                slots.len()
            ),
        ));
    }
    let (each, extra) = (attached.len() / n, attached.len() % n);
    let mut rest = attached.into_iter();
    let mut uses: Vec<SlotUse> = (0..n)
        .map(|k| SlotUse {
            slot: slots[k].clone(),
            card: CardUse {
                part: model.clone(),
                ports: rest.by_ref().take(each + usize::from(k < extra)).collect(),
                nics: None,
            },
        })
        .collect();
    let host: BTreeSet<usize> = host.into_iter().collect();
    uses.extend(
        l.design
            .slots
            .iter()
            .enumerate()
            .filter(|(i, _)| !host.contains(i))
            .map(|(_, s)| s.clone()),
    );
    l.design.slots = uses;
    Ok(())
}

/// `nic=PART`: the first NIC card becomes `part`; without one, `part` goes into the first free
/// slot its bus fits (else the first free slot, for validation to refuse). `nic=onboard`
/// removes every NIC card.
pub(super) fn set_nic(l: &mut Loaded, part: &str) -> Result<(), Invalid> {
    let nics: Vec<usize> = (0..l.design.slots.len())
        .filter(|i| is_nic_card(l, &l.design.slots[*i].card.part))
        .collect();
    if part == ONBOARD {
        // Without a NIC card the onboard ports are the client network: every one carries data.
        l.design.board.nics = None;
        let mut i = 0;
        l.design.slots.retain(|_| {
            i += 1;
            !nics.contains(&(i - 1))
        });
        return Ok(());
    }
    // A data NIC card takes the client traffic: onboard ports whose roles the design leaves
    // unsaid become one management port (the rest unused), so the bond is not held to the
    // onboard ports' speed.
    let onboard = match spec(l, &l.design.board.part) {
        Some(PartSpec::Motherboard(m)) => m.nics.len(),
        _ => 0,
    };
    if l.design.board.nics.is_none() && onboard > 0 {
        l.design.board.nics = Some(vec![crate::spec::NicRole::Management]);
    }
    if let Some(i) = nics.first() {
        let card = &mut l.design.slots[*i].card;
        card.part = part.to_string();
        // The old card's roles need not fit the new card's ports: every port carries data.
        card.nics = None;
        return Ok(());
    }
    let bus = match spec(l, part) {
        Some(PartSpec::NicCard(c)) => Some(c.host_bus),
        _ => None,
    };
    let free = free_slots(l);
    let fits = free
        .iter()
        .find(|s| bus.is_some_and(|b| b.fit_in(s.bus).is_ok()))
        .or(free.first());
    let Some(slot) = fits else {
        return Err(Invalid::new(
            "sweep-no-free-slot",
            format!("nic={part}: every slot of the board holds a card"),
        ));
    };
    l.design.slots.push(SlotUse {
        slot: slot.id.clone(),
        card: CardUse {
            part: part.to_string(),
            ports: Vec::new(),
            nics: None,
        },
    });
    Ok(())
}
