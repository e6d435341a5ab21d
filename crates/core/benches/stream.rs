//! A realistic mixed OpenZiti event stream for the benchmarks: 3 HA
//! controllers, 300 routers, 20,000 identities, in the controller's exact
//! JSON shapes, with HA copies, REST chatter, SDK status, router flaps,
//! links and latency metrics. Deterministic (xorshift), no I/O.

pub struct Gen {
    x: u64,
    t: i64,
}

pub const ROUTERS: usize = 300;
pub const IDENTITIES: usize = 20_000;
const CTRLS: [&str; 3] = ["ctrl1", "ctrl2", "ctrl3"];

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen { x: seed | 1, t: 1_749_718_800_000_000_000 }
    }

    fn next(&mut self) -> u64 {
        self.x ^= self.x << 13;
        self.x ^= self.x >> 7;
        self.x ^= self.x << 17;
        self.x
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn ts(&mut self) -> String {
        self.t += 1_000 + (self.next() % 2_000_000) as i64;
        let secs = self.t / 1_000_000_000;
        let nanos = self.t % 1_000_000_000;
        let (h, m, s) = (secs / 3600 % 24, secs / 60 % 60, secs % 60);
        format!("2025-06-12T{h:02}:{m:02}:{s:02}.{nanos:09}Z")
    }

    /// One line, and sometimes its HA copy from another controller.
    pub fn lines(&mut self, n: usize) -> Vec<String> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let ts = self.ts();
            let c = CTRLS[self.pick(3)];
            let ident = self.pick(IDENTITIES);
            let i = format!("ident-{ident:05}");
            // An identity uses its home edge router, now and then a second one.
            let r = match self.pick(10) {
                0 => format!("router-{:03}", self.pick(ROUTERS)),
                _ => format!("router-{:03}", ident * 7 % ROUTERS),
            };
            let roll = self.pick(100);
            let line = match roll {
                0..=29 => format!(
                    r#"{{"namespace":"connect","event_src_id":"{c}","timestamp":"{ts}","src_type":"identity","dst_type":"ctrl","src_id":"{i}","src_addr":"100.64.1.9:53012","dst_id":"{c}","dst_addr":"{c}.ziti.example.com:1280"}}"#
                ),
                30..=59 => format!(
                    r#"{{"namespace":"connect","event_src_id":"{c}","timestamp":"{ts}","src_type":"identity","dst_type":"router","src_id":"{i}","src_addr":"100.64.1.9:53022","dst_id":"{r}","dst_addr":"10.20.0.11:3022"}}"#
                ),
                60..=74 => {
                    let t = ["sdk-online", "sdk-offline", "sdk-status-unknown"][self.pick(3)];
                    format!(
                        r#"{{"namespace":"sdk","event_src_id":"{c}","timestamp":"{ts}","event_type":"{t}","identity_id":"{i}"}}"#
                    )
                }
                75..=76 => {
                    let (t, on) = if self.pick(2) == 0 { ("router-online", true) } else { ("router-offline", false) };
                    format!(
                        r#"{{"namespace":"router","timestamp":"{ts}","event_src_id":"{c}","event_type":"{t}","router_id":"{r}","router_online":{on}}}"#
                    )
                }
                77..=79 => {
                    let t = ["routerLinkNew", "fault", "routerLinkKnown"][self.pick(3)];
                    let l = format!("link-{:04}", self.pick(ROUTERS * 3));
                    format!(
                        r#"{{"namespace":"link","event_src_id":"{c}","timestamp":"{ts}","event_type":"{t}","link_id":"{l}","src_router_id":"{r}","dst_router_id":"router-000","protocol":"tls","dial_address":"tls:transit.example.com:10080","cost":1,"connections":[{{"id":"single","local_addr":"tcp:10.20.0.11:51544","remote_addr":"tcp:192.0.2.21:10080"}}]}}"#
                    )
                }
                80..=89 => {
                    let l = format!("link-{:04}", self.pick(ROUTERS * 3));
                    let mean = 20_000_000 + self.pick(5_000_000);
                    format!(
                        r#"{{"namespace":"metrics","event_src_id":"{c}","timestamp":"{ts}","metric_type":"histogram","source_id":"{r}","source_entity_id":"{l}","version":3,"metric":"link.latency","metrics":{{"count":3066,"max":26140643,"mean":{mean}.023,"min":19040423,"p50":22080754,"p75":22951494.5,"p95":23936139.45,"p99":25728216.3,"p999":26140643,"p9999":26140643,"std_dev":1208582.994,"variance":1460672853982.8}},"tags":{{"sourceRouterId":"{r}","targetRouterId":"router-000"}},"source_event_id":"9c1d2f7a-5b3e-4c8d-a1f6-0e7b9d2c4a18"}}"#
                    )
                }
                90..=90 => format!(
                    r#"{{"namespace":"cluster","event_src_id":"{c}","timestamp":"{ts}","eventType":"state.has_leader","leaderId":"ctrl1"}}"#
                ),
                _ => format!(
                    r#"{{"namespace":"connect","event_src_id":"{c}","timestamp":"{ts}","src_type":"router","dst_type":"ctrl","src_id":"{r}","src_addr":"198.51.100.20:40377","dst_id":"{c}","dst_addr":"10.0.0.10:6262"}}"#
                ),
            };
            // Identity→router connects and SDK events reach every
            // controller: an HA copy differing only in event_src_id.
            if (30..=74).contains(&roll) && out.len() + 1 < n {
                let other = CTRLS[(CTRLS.iter().position(|x| *x == c).unwrap() + 1) % 3];
                out.push(line.replacen(
                    &format!("\"event_src_id\":\"{c}\""),
                    &format!("\"event_src_id\":\"{other}\""),
                    1,
                ));
            }
            out.push(line);
        }
        out.truncate(n);
        out
    }
}
