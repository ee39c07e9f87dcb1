//! Clients logged in to a UPS (`LOGIN`), for `NUMLOGINS` and `LIST CLIENT`.

use super::ConnId;

/// One logged-in connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The connection.
    pub conn: ConnId,
    /// The UPS, canonical spelling (from `ups.conf`).
    pub ups: String,
    /// The client address as `LIST CLIENT` prints it.
    pub addr: String,
}

/// Logins ordered newest connection first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Logins {
    list: Vec<Login>,
}

impl Logins {
    pub(crate) fn add(&mut self, conn: ConnId, ups: &str, addr: &str) {
        self.remove(conn);
        let at = self.list.partition_point(|l| l.conn > conn);
        self.list.insert(
            at,
            Login {
                conn,
                ups: ups.to_owned(),
                addr: addr.to_owned(),
            },
        );
    }

    pub(crate) fn remove(&mut self, conn: ConnId) {
        self.list.retain(|l| l.conn != conn);
    }

    pub(crate) fn drop_ups(&mut self, ups: &str) {
        self.list.retain(|l| !l.ups.eq_ignore_ascii_case(ups));
    }

    pub(crate) fn of_ups(&self, ups: &str) -> Vec<&Login> {
        self.list
            .iter()
            .filter(|l| l.ups.eq_ignore_ascii_case(ups))
            .collect()
    }

    pub(crate) fn count(&self, ups: &str) -> usize {
        self.of_ups(ups).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_connection_first_whatever_the_login_order() {
        let mut l = Logins::default();
        l.add(5, "ups", "a");
        l.add(9, "ups", "b");
        l.add(7, "UPS2", "c");
        l.add(2, "ups", "d");
        let addrs: Vec<_> = l.of_ups("UPS").iter().map(|x| x.addr.as_str()).collect();
        assert_eq!(addrs, ["b", "a", "d"]);
        l.remove(9);
        assert_eq!(l.count("ups"), 2);
        l.drop_ups("ups2");
        assert_eq!(l.count("ups2"), 0);
    }
}
