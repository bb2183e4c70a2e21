//! Datagrams the operating system dropped before the feed could read them.
//!
//! On Linux every UDP socket's `drops` counter (receive buffer full, checksum errors) is the last
//! column of `/proc/net/udp` (IPv4) and `/proc/net/udp6` (IPv6), in the row whose
//! `local_address` is the socket's address: `ADDR:PORT` in hex, the address as the kernel holds
//! it in memory (IPv4: one little-endian `u32`; IPv6: four of them). Elsewhere the count is not
//! available.

use std::net::SocketAddr;

/// The kernel's drop counter of the UDP socket bound to `local`, or `None` where the system
/// does not report it (not Linux, or the socket is gone).
#[must_use]
pub fn kernel_drops(local: SocketAddr) -> Option<u64> {
    let table = match local {
        SocketAddr::V4(_) => "/proc/net/udp",
        SocketAddr::V6(_) => "/proc/net/udp6",
    };
    let text = std::fs::read_to_string(table).ok()?;
    drops_in_table(&text, local)
}

/// `local` as `/proc/net/udp{,6}` writes it: `0100007F:15E6`.
fn proc_address(local: SocketAddr) -> String {
    let address: String = match local {
        SocketAddr::V4(a) => format!("{:08X}", u32::from_le_bytes(a.ip().octets())),
        SocketAddr::V6(a) => a
            .ip()
            .octets()
            .chunks_exact(4)
            .map(|w| format!("{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
            .collect(),
    };
    format!("{address}:{:04X}", local.port())
}

/// The `drops` column of the row for `local` in a `/proc/net/udp{,6}` table.
fn drops_in_table(text: &str, local: SocketAddr) -> Option<u64> {
    let wanted = proc_address(local);
    text.lines().skip(1).find_map(|line| {
        let mut columns = line.split_whitespace();
        let address = columns.nth(1)?;
        if address != wanted {
            return None;
        }
        columns.last()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  312: 0100007F:15E6 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 104 2 0000000000000000 17
  313: 00000000:2710 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 105 2 0000000000000000 0
";

    #[test]
    fn finds_the_row_of_the_socket() {
        let local: SocketAddr = "127.0.0.1:5606".parse().unwrap();
        assert_eq!(proc_address(local), "0100007F:15E6");
        assert_eq!(drops_in_table(TABLE, local), Some(17));
        let any: SocketAddr = "0.0.0.0:10000".parse().unwrap();
        assert_eq!(drops_in_table(TABLE, any), Some(0));
        let other: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(drops_in_table(TABLE, other), None);
        assert_eq!(drops_in_table("", local), None);
    }

    #[test]
    fn writes_ipv6_words_as_the_kernel_holds_them() {
        let local: SocketAddr = "[::1]:5606".parse().unwrap();
        assert_eq!(proc_address(local), "00000000000000000000000001000000:15E6");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_live_socket_is_found() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(kernel_drops(socket.local_addr().unwrap()), Some(0));
    }
}
