//! A blocking client: [`Client`] owns a single-threaded tokio runtime and runs the async
//! [`crate::Client`] on it, for programs that are not async.
//!
//! ```no_run
//! let mut client = nut_client::blocking::Client::connect("127.0.0.1", 3493)?;
//! println!("{}", client.get_var("myups", "ups.status")?);
//! # Ok::<(), nut_client::ClientError>(())
//! ```

use std::time::Duration;

use nut_proto::{List, ListItem, Request, Response, VarType};
use tokio::runtime::Runtime;

use crate::{ClientConfig, ClientError, TlsConfig, TrackingStatus, Transport};

/// A blocking connection to a NUT server; each method is the async one of
/// [`crate::Client`], run to completion.
#[derive(Debug)]
pub struct Client {
    runtime: Runtime,
    inner: crate::Client<Transport>,
}

/// Forwards `fn name(&mut self, args) -> T` to the async client.
macro_rules! forward {
    ($($(#[$doc:meta])* fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&mut self $(, $arg: $ty)*) -> Result<$ret, ClientError> {
                self.runtime.block_on(self.inner.$name($($arg),*))
            }
        )*
    };
}

impl Client {
    /// Connects with the default [`ClientConfig`].
    pub fn connect(host: &str, port: u16) -> Result<Self, ClientError> {
        Self::connect_with(host, port, &ClientConfig::default())
    }

    /// Connects and applies the STARTTLS policy of `config`.
    pub fn connect_with(host: &str, port: u16, config: &ClientConfig) -> Result<Self, ClientError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let inner = runtime.block_on(crate::Client::connect_with(host, port, config))?;
        Ok(Self { runtime, inner })
    }

    /// The async client inside.
    pub fn inner(&self) -> &crate::Client<Transport> {
        &self.inner
    }

    forward! {
        /// See [`crate::Client::starttls`].
        fn starttls(&mut self, tls: &TlsConfig) -> ();
        /// See [`crate::Client::request`].
        fn request(&mut self, request: &Request) -> Response;
        /// See [`crate::Client::request_list`].
        fn request_list(&mut self, list: &List) -> Vec<ListItem>;
        /// See [`crate::Client::ver`].
        fn ver(&mut self) -> String;
        /// See [`crate::Client::netver`].
        fn netver(&mut self) -> String;
        /// See [`crate::Client::help`].
        fn help(&mut self) -> String;
        /// See [`crate::Client::get_var`].
        fn get_var(&mut self, ups: &str, var: &str) -> String;
        /// See [`crate::Client::get_type`].
        fn get_type(&mut self, ups: &str, var: &str) -> VarType;
        /// See [`crate::Client::get_desc`].
        fn get_desc(&mut self, ups: &str, var: &str) -> String;
        /// See [`crate::Client::get_cmd_desc`].
        fn get_cmd_desc(&mut self, ups: &str, cmd: &str) -> String;
        /// See [`crate::Client::get_ups_desc`].
        fn get_ups_desc(&mut self, ups: &str) -> String;
        /// See [`crate::Client::num_logins`].
        fn num_logins(&mut self, ups: &str) -> u32;
        /// See [`crate::Client::list_ups`].
        fn list_ups(&mut self) -> Vec<(String, String)>;
        /// See [`crate::Client::list_vars`].
        fn list_vars(&mut self, ups: &str) -> Vec<(String, String)>;
        /// See [`crate::Client::list_rw`].
        fn list_rw(&mut self, ups: &str) -> Vec<(String, String)>;
        /// See [`crate::Client::list_cmds`].
        fn list_cmds(&mut self, ups: &str) -> Vec<String>;
        /// See [`crate::Client::list_enum`].
        fn list_enum(&mut self, ups: &str, var: &str) -> Vec<String>;
        /// See [`crate::Client::list_range`].
        fn list_range(&mut self, ups: &str, var: &str) -> Vec<(String, String)>;
        /// See [`crate::Client::list_clients`].
        fn list_clients(&mut self, ups: &str) -> Vec<String>;
        /// See [`crate::Client::username`].
        fn username(&mut self, name: &str) -> ();
        /// See [`crate::Client::password`].
        fn password(&mut self, password: &str) -> ();
        /// See [`crate::Client::login`].
        fn login(&mut self, ups: &str) -> ();
        /// See [`crate::Client::logout`].
        fn logout(&mut self) -> ();
        /// See [`crate::Client::primary`].
        fn primary(&mut self, ups: &str) -> ();
        /// See [`crate::Client::master`].
        fn master(&mut self, ups: &str) -> ();
        /// See [`crate::Client::fsd`].
        fn fsd(&mut self, ups: &str) -> ();
        /// See [`crate::Client::set_var`].
        fn set_var(&mut self, ups: &str, var: &str, value: &str) -> Option<String>;
        /// See [`crate::Client::instcmd`].
        fn instcmd(&mut self, ups: &str, cmd: &str, param: Option<&str>) -> Option<String>;
        /// See [`crate::Client::set_tracking`].
        fn set_tracking(&mut self, on: bool) -> ();
        /// See [`crate::Client::tracking_mode`].
        fn tracking_mode(&mut self) -> bool;
        /// See [`crate::Client::tracking_status`].
        fn tracking_status(&mut self, id: &str) -> TrackingStatus;
        /// See [`crate::Client::set_var_wait`].
        fn set_var_wait(&mut self, ups: &str, var: &str, value: &str, timeout: Duration) -> ();
        /// See [`crate::Client::instcmd_wait`].
        fn instcmd_wait(
            &mut self, ups: &str, cmd: &str, param: Option<&str>, timeout: Duration
        ) -> ();
    }
}
