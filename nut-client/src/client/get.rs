//! GET requests and the free-text requests (VER, NETVER, HELP).

use nut_proto::{Get, Request, Response, VarType};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{unexpected, Client};
use crate::error::ClientError;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// `VER`: the server's version banner, e.g.
    /// `Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/`.
    pub async fn ver(&mut self) -> Result<String, ClientError> {
        self.text_call(&Request::Ver).await
    }

    /// `NETVER`: the protocol version, e.g. `1.3`.
    pub async fn netver(&mut self) -> Result<String, ClientError> {
        self.text_call(&Request::NetVer).await
    }

    /// `HELP`: the server's one-line command summary.
    pub async fn help(&mut self) -> Result<String, ClientError> {
        self.text_call(&Request::Help).await
    }

    /// `GET VAR <ups> <var>`: the value of a variable.
    pub async fn get_var(&mut self, ups: &str, var: &str) -> Result<String, ClientError> {
        let request = Request::Get(Get::Var {
            ups: ups.into(),
            var: var.into(),
        });
        match self.call(&request).await? {
            (_, Response::Var { value, .. }) => Ok(value),
            (line, _) => Err(unexpected("VAR", line)),
        }
    }

    /// `GET TYPE <ups> <var>`: whether the variable is writable, and its kind.
    pub async fn get_type(&mut self, ups: &str, var: &str) -> Result<VarType, ClientError> {
        let request = Request::Get(Get::Type {
            ups: ups.into(),
            var: var.into(),
        });
        match self.call(&request).await? {
            (_, Response::Type { ty, .. }) => Ok(ty),
            (line, _) => Err(unexpected("TYPE", line)),
        }
    }

    /// `GET DESC <ups> <var>`: the description of a variable.
    pub async fn get_desc(&mut self, ups: &str, var: &str) -> Result<String, ClientError> {
        let request = Request::Get(Get::Desc {
            ups: ups.into(),
            var: var.into(),
        });
        match self.call(&request).await? {
            (_, Response::Desc { desc, .. }) => Ok(desc),
            (line, _) => Err(unexpected("DESC", line)),
        }
    }

    /// `GET CMDDESC <ups> <cmd>`: the description of an instant command.
    pub async fn get_cmd_desc(&mut self, ups: &str, cmd: &str) -> Result<String, ClientError> {
        let request = Request::Get(Get::CmdDesc {
            ups: ups.into(),
            cmd: cmd.into(),
        });
        match self.call(&request).await? {
            (_, Response::CmdDesc { desc, .. }) => Ok(desc),
            (line, _) => Err(unexpected("CMDDESC", line)),
        }
    }

    /// `GET UPSDESC <ups>`: the `desc` of the UPS in the server's ups.conf.
    pub async fn get_ups_desc(&mut self, ups: &str) -> Result<String, ClientError> {
        let request = Request::Get(Get::UpsDesc { ups: ups.into() });
        match self.call(&request).await? {
            (_, Response::UpsDesc { desc, .. }) => Ok(desc),
            (line, _) => Err(unexpected("UPSDESC", line)),
        }
    }

    /// `GET NUMLOGINS <ups>`: how many clients are logged in to the UPS.
    pub async fn num_logins(&mut self, ups: &str) -> Result<u32, ClientError> {
        let request = Request::Get(Get::NumLogins { ups: ups.into() });
        match self.call(&request).await? {
            (_, Response::NumLogins { count, .. }) => Ok(count),
            (line, _) => Err(unexpected("NUMLOGINS", line)),
        }
    }

    /// A request whose answer is free text: the line itself, unless it is an `ERR`.
    async fn text_call(&mut self, request: &Request) -> Result<String, ClientError> {
        self.check_usable()?;
        let conn = &mut self.conn;
        let work = async {
            conn.send(request).await?;
            conn.read_line().await
        };
        let result = tokio::time::timeout(self.config.io_timeout, work).await;
        let line = self.settle(result)?;
        match Response::parse(&line) {
            Ok(Response::Err { code, .. }) => Err(ClientError::Server(code)),
            _ => Ok(line),
        }
    }
}
