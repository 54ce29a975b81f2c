//! Single values: ids, dates, numbers in range, quantities, buses and capacities.

use super::*;

/// Checks that a part id is lowercase kebab-case (`a-z`, `0-9`, `-`, `.`).
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !id.ends_with('-')
}

pub(super) fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, day] => {
            num(y, 4)
                && num(m, 2)
                && num(day, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&day.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

/// Checks a float is finite and within `[min, max]`.
pub(super) fn check_num(
    s: &mut Sink,
    place: &str,
    value: f64,
    min: f64,
    max: f64,
    what: &str,
) -> bool {
    if value.is_finite() && value >= min && value <= max {
        true
    } else {
        s.error(
            Code::InvalidValue,
            place,
            format!(
                "{what} is {}; expected a number from {} to {}",
                fmt_bounded(value),
                fmt_bounded(min),
                fmt_bounded(max)
            ),
        );
        false
    }
}

pub(super) fn check_count(
    s: &mut Sink,
    place: &str,
    value: u32,
    min: u32,
    max: u32,
    what: &str,
) -> bool {
    if (min..=max).contains(&value) {
        true
    } else {
        s.error(
            Code::InvalidValue,
            place,
            format!("{what} is {value}; expected {min} to {max}"),
        );
        false
    }
}

pub(super) fn check_qty(s: &mut Sink, place: &str, qty: u32) -> bool {
    if qty == 0 {
        s.error(
            Code::ZeroQuantity,
            place,
            "quantity is 0; remove the line or give a count",
        );
        false
    } else if qty > MAX_QTY {
        s.error(
            Code::AbsurdQuantity,
            place,
            format!("quantity {qty} is more than {MAX_QTY} of one part in one pod"),
        );
        false
    } else {
        true
    }
}

pub(super) fn check_bus(s: &mut Sink, place: &str, bus: &Bus) -> bool {
    match *bus {
        Bus::Pci { width_bits, mhz } => {
            let ok = matches!(width_bits, 32 | 64) && matches!(mhz, 33 | 66);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCI bus {width_bits}-bit/{mhz} MHz does not exist (32 or 64 bit, 33 or 66 MHz)"),
                );
            }
            ok
        }
        Bus::PciX { mhz } => {
            let ok = matches!(mhz, 66 | 100 | 133 | 266 | 533);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCI-X at {mhz} MHz does not exist (66, 100, 133, 266, 533)"),
                );
            }
            ok
        }
        Bus::Pcie { generation, lanes } => {
            let ok = (1..=5).contains(&generation) && matches!(lanes, 1 | 2 | 4 | 8 | 16);
            if !ok {
                s.error(
                    Code::InvalidValue,
                    place,
                    format!("PCIe gen {generation} x{lanes} does not exist (gen 1-5; x1, x2, x4, x8, x16)"),
                );
            }
            ok
        }
    }
}

pub(super) fn capacity(s: &mut Sink, place: &str, text: &str, max: u64) -> Option<Bytes> {
    match parse_bytes(text) {
        Ok(Bytes(0)) => {
            s.error(
                Code::ZeroCapacity,
                place,
                format!("capacity {text:?} is zero"),
            );
            None
        }
        Ok(b) if b.0 > max => {
            s.error(
                Code::AbsurdCapacity,
                place,
                format!(
                    "capacity {text:?} is {:.3e} bytes, beyond any real device (limit {})",
                    b.0 as f64,
                    Bytes(max)
                ),
            );
            None
        }
        Ok(b) => Some(b),
        Err(QuantityError::Overflow(_)) => {
            s.error(
                Code::AbsurdCapacity,
                place,
                format!(
                    "capacity {text:?} is beyond any real device (and too large to count in bytes; limit {})",
                    Bytes(max)
                ),
            );
            None
        }
        Err(e) => {
            s.error(Code::InvalidCapacity, place, e.to_string());
            None
        }
    }
}

/// Memory is sold in JEDEC units, where "GB" means 2^30 bytes: rewrite decimal unit names to
/// their binary equivalents so a "2 GB" module is 2 GiB.
pub(super) fn jedec_binary(text: &str) -> String {
    let t = text.trim();
    for (dec, bin) in [("MB", "MiB"), ("GB", "GiB"), ("TB", "TiB")] {
        if let Some(num) = t.strip_suffix(dec) {
            return format!("{}{bin}", num);
        }
    }
    t.to_string()
}
