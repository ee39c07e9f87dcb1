//! LIST requests: the reply is `BEGIN LIST …`, items, `END LIST …`, assembled by
//! [`nut_proto::response::ListCollector`].

use nut_proto::response::{ListCollector, ListError};
use nut_proto::{List, ListItem, Request};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{unexpected, Client};
use crate::connection::Connection;
use crate::error::ClientError;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// Sends a LIST request and returns its items in the server's order.
    pub async fn request_list(&mut self, list: &List) -> Result<Vec<ListItem>, ClientError> {
        self.check_usable()?;
        let max = self.config.max_list_items;
        let work = read_list(&mut self.conn, list, max);
        let result = tokio::time::timeout(self.config.io_timeout, work).await;
        let result = self.settle(result);
        // Anything but an ERR answer may leave the rest of the list unread.
        if matches!(&result, Err(e) if !matches!(e, ClientError::Server(_))) {
            self.broken = true;
        }
        result
    }

    /// `LIST UPS`: `(name, description)` of every UPS, in ups.conf order.
    pub async fn list_ups(&mut self) -> Result<Vec<(String, String)>, ClientError> {
        let items = self.request_list(&List::Ups).await?;
        collect(items, "UPS", |item| match item {
            ListItem::Ups { name, desc } => Ok((name, desc)),
            other => Err(other),
        })
    }

    /// `LIST VAR <ups>`: `(name, value)` of every variable.
    pub async fn list_vars(&mut self, ups: &str) -> Result<Vec<(String, String)>, ClientError> {
        let items = self.request_list(&List::Var { ups: ups.into() }).await?;
        collect(items, "VAR", |item| match item {
            ListItem::Var { var, value, .. } => Ok((var, value)),
            other => Err(other),
        })
    }

    /// `LIST RW <ups>`: `(name, value)` of every writable variable.
    pub async fn list_rw(&mut self, ups: &str) -> Result<Vec<(String, String)>, ClientError> {
        let items = self.request_list(&List::Rw { ups: ups.into() }).await?;
        collect(items, "RW", |item| match item {
            ListItem::Rw { var, value, .. } => Ok((var, value)),
            other => Err(other),
        })
    }

    /// `LIST CMD <ups>`: the instant commands.
    pub async fn list_cmds(&mut self, ups: &str) -> Result<Vec<String>, ClientError> {
        let items = self.request_list(&List::Cmd { ups: ups.into() }).await?;
        collect(items, "CMD", |item| match item {
            ListItem::Cmd { cmd, .. } => Ok(cmd),
            other => Err(other),
        })
    }

    /// `LIST ENUM <ups> <var>`: the values an enumerated variable accepts.
    pub async fn list_enum(&mut self, ups: &str, var: &str) -> Result<Vec<String>, ClientError> {
        let list = List::Enum {
            ups: ups.into(),
            var: var.into(),
        };
        let items = self.request_list(&list).await?;
        collect(items, "ENUM", |item| match item {
            ListItem::Enum { value, .. } => Ok(value),
            other => Err(other),
        })
    }

    /// `LIST RANGE <ups> <var>`: the `(min, max)` ranges a variable accepts, as sent.
    pub async fn list_range(
        &mut self,
        ups: &str,
        var: &str,
    ) -> Result<Vec<(String, String)>, ClientError> {
        let list = List::Range {
            ups: ups.into(),
            var: var.into(),
        };
        let items = self.request_list(&list).await?;
        collect(items, "RANGE", |item| match item {
            ListItem::Range { min, max, .. } => Ok((min, max)),
            other => Err(other),
        })
    }

    /// `LIST CLIENT <ups>`: addresses of the clients logged in to the UPS.
    pub async fn list_clients(&mut self, ups: &str) -> Result<Vec<String>, ClientError> {
        let items = self.request_list(&List::Client { ups: ups.into() }).await?;
        collect(items, "CLIENT", |item| match item {
            ListItem::Client { addr, .. } => Ok(addr),
            other => Err(other),
        })
    }
}

/// Sends the request and feeds reply lines to a collector until `END LIST`. The collector
/// fails past `max_items`, so this ends for any input.
async fn read_list<S>(
    conn: &mut Connection<S>,
    list: &List,
    max_items: usize,
) -> Result<Vec<ListItem>, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    conn.send(&Request::List(list.clone())).await?;
    let mut collector = ListCollector::with_limit(list.kind(), max_items);
    loop {
        let (line, response) = conn.read_response().await?;
        match collector.push(response) {
            Ok(Some(items)) => return Ok(items),
            Ok(None) => {}
            Err(ListError::Server(code)) => return Err(ClientError::Server(code)),
            Err(ListError::TooManyItems { max }) => return Err(ClientError::TooManyItems { max }),
            Err(_) => return Err(unexpected("a line of the requested list", line)),
        }
    }
}

/// Maps each item with `pick`; an item of another kind is a protocol error.
fn collect<T>(
    items: Vec<ListItem>,
    expected: &'static str,
    pick: impl Fn(ListItem) -> Result<T, ListItem>,
) -> Result<Vec<T>, ClientError> {
    items
        .into_iter()
        .map(|item| pick(item).map_err(|other| unexpected(expected, format!("{other:?}"))))
        .collect()
}
