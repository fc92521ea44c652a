//! `ip`: a keyed address in the documentation ranges, valid `inet` that is never routable:
//! IPv4 -> 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 (RFC 5737); IPv6 -> 2001:db8::/32
//! (RFC 3849). A `/prefix` in the input is kept. Deterministic; IPv6 fakes are unique in
//! practice, IPv4 fakes are not (768 addresses). Input that is not an address is an error.
//! Fits `inet` and text columns (not `cidr`: the fakes have host bits). No options.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{BuildCtx, NoOptions, PgType, RowLookup, Transform};
use crate::anonymize::keyed::Keyed;
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str =
    "keyed address in the documentation ranges (192.0.2.0/24, ..., 2001:db8::/32).";

pub(crate) struct Ip(pub(crate) Keyed);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let NoOptions {} = ctx.options(rule)?;
    Ok(Box::new(Ip(ctx.keyed.clone())))
}

impl Ip {
    pub(crate) fn fake(&self, addr: IpAddr) -> IpAddr {
        let d = self.0.digest("ip", addr.to_string().as_bytes());
        match addr {
            IpAddr::V4(_) => {
                const NETS: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
                let [a, b, c] = NETS[(d[0] % 3) as usize];
                IpAddr::V4(Ipv4Addr::new(a, b, c, d[1]))
            }
            IpAddr::V6(_) => {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
                b[4..].copy_from_slice(&d[..12]);
                IpAddr::V6(Ipv6Addr::from(b))
            }
        }
    }
}

impl Transform for Ip {
    fn apply(&self, value: &str, _: &dyn RowLookup) -> Result<Option<String>, String> {
        let (addr, prefix) = match value.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (value.trim(), None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| "input is not an IPv4 or IPv6 address".to_owned())?;
        let fake = self.fake(addr);
        Ok(Some(match prefix {
            Some(p) => format!("{fake}/{p}"),
            None => fake.to_string(),
        }))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_text() || (ty.array_dims == 0 && ty.base == "inet") {
            Ok(())
        } else {
            Err(format!(
                "`ip` fits inet or text columns, not `{}`",
                ty.written
            ))
        }
    }
}
