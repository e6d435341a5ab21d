//! Plausible names for simulated entities, so the dashboard reads like a
//! real deployment, and ids in the controller's shape, which name them in
//! every event: a real controller names a router `Kx7pWq2mRa`, and
//! `edge-eu-3` is only what people call it.

use rand::Rng;

/// Regions that edge routers are grouped in.
pub const REGIONS: [&str; 4] = ["eu", "us", "ap", "sa"];

const DEVICE_KINDS: [&str; 8] = ["laptop", "phone", "iot-sensor", "build-agent", "db", "svc", "kiosk", "camera"];

/// Controller `i` (0-based): `ctrl1`, `ctrl2`, …
pub fn controller(i: usize) -> String {
    format!("ctrl{}", i + 1)
}

/// Router `i` of `n`: a couple of fabric core routers first, then edge
/// routers spread over the regions (`edge-eu-1`, `edge-us-1`, …).
pub fn router(i: usize, n: usize) -> String {
    let cores = core_count(n);
    if i < cores {
        format!("core-{}", i + 1)
    } else {
        let j = i - cores;
        format!("edge-{}-{}", REGIONS[j % REGIONS.len()], j / REGIONS.len() + 1)
    }
}

/// How many of `n` routers are fabric core routers (no identities attach).
pub fn core_count(n: usize) -> usize {
    if n >= 8 {
        2
    } else {
        0
    }
}

/// Identity `i`: `laptop-0001`, `phone-0002`, …
pub fn identity(i: usize) -> String {
    format!("{}-{:04}", DEVICE_KINDS[i % DEVICE_KINDS.len()], i + 1)
}

/// The role attributes of router `i` of `n`: its region and `edge`, or
/// `core` (the map groups routers by the first).
pub fn router_attributes(i: usize, n: usize) -> Vec<String> {
    let cores = core_count(n);
    if i < cores {
        vec!["core".into()]
    } else {
        vec![REGIONS[(i - cores) % REGIONS.len()].into(), "edge".into()]
    }
}

/// Identity `i`'s role attributes: its kind of device.
pub fn identity_attributes(i: usize) -> Vec<String> {
    vec![DEVICE_KINDS[i % DEVICE_KINDS.len()].into()]
}

/// A name after its `n`-th rename: `edge-eu-1` becomes `edge-eu-1-r1`,
/// then `edge-eu-1-r2` (unique as the first was, as the controller wants).
pub fn renamed(base: &str, n: u32) -> String {
    format!("{base}-r{n}")
}

/// What the controller's ids are made of.
const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-_";
/// The letters and digits: an id starts with one, so that it never reads as
/// an option or a spreadsheet formula.
const ID_FIRST: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// An id in the controller's shape: ten characters, letters, digits, `.`,
/// `-` and `_` (`Kx7pWq2mRa`, `D4vX.q9LmP`).
pub fn opaque_id(rng: &mut impl Rng) -> String {
    let mut id = String::with_capacity(10);
    id.push(ID_FIRST[rng.random_range(0..ID_FIRST.len())] as char);
    for _ in 1..10 {
        id.push(ID_ALPHABET[rng.random_range(0..ID_ALPHABET.len())] as char);
    }
    id
}

/// A change's `eventId`: a version-4 UUID, as the controller's
/// `uuid.NewString()` writes it.
pub fn change_id(rng: &mut impl Rng) -> String {
    let (a, b, c, d, e): (u32, u16, u16, u16, u64) = (
        rng.random(),
        rng.random(),
        rng.random::<u16>() & 0x0fff | 0x4000,
        rng.random::<u16>() & 0x3fff | 0x8000,
        rng.random::<u64>() & 0xffff_ffff_ffff,
    );
    format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
}
