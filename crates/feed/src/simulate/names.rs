//! Plausible names for simulated entities, so the dashboard reads like a
//! real deployment.

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
