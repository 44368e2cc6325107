//! `get --watch` / `--watch-only`: list, then print every change as it happens.
//!
//! Better than kubectl where kubectl gives up: a watch the server ends (timeout, dropped
//! connection) is resumed from the last resourceVersion seen; a resourceVersion that has
//! become too old (410 Gone) leads to a fresh list, printed as the current state, and a new
//! watch from there. Like kubectl's, a watch ends when `--request-timeout` runs out.

use std::io::Write;

use std::time::Duration;

use anyhow::{Result, bail};

use super::{Options, Request};
use crate::api::{JSON_ACCEPT, ListRequest, TABLE_ACCEPT, WatchItem, Watcher};
use crate::client::ApiClient;
use crate::context::Context;
use crate::print::WatchPrinter;

pub fn run(
    ctx: &mut Context,
    client: &ApiClient,
    options: &Options,
    requests: &[Request],
) -> Result<()> {
    let request = match requests {
        [one] if one.names.len() <= 1 => one,
        _ => {
            let found: usize = requests.iter().map(|r| r.names.len().max(1)).sum();
            bail!(
                "watch is only supported on individual resources and resource collections, but {found} resources were found"
            );
        }
    };
    let mut printer = WatchPrinter::new(&options.print, &request.rt)?;
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let limit = ctx.global.request_timeout();
    let outcome = ctx.block_on(crate::signals::stop_on_ctrl_c(watch(
        client,
        options,
        request,
        limit,
        &mut printer,
        &mut out,
    )));
    ctx.out = out;
    outcome?
}

/// The list and field selectors of the watch (a named object is watched by its name).
fn field_selector(options: &Options, request: &Request) -> Option<String> {
    let by_name = request
        .names
        .first()
        .map(|name| format!("metadata.name={name}"));
    match (options.list.field_selector.clone(), by_name) {
        (Some(fields), Some(name)) => Some(format!("{fields},{name}")),
        (fields, name) => fields.or(name),
    }
}

/// Lists, then prints changes. Like kubectl's, the watch ends (and the command succeeds) once
/// `limit` (`--request-timeout`) has passed since the list's first page came; the list itself
/// fails if its requests take longer.
async fn watch(
    client: &ApiClient,
    options: &Options,
    request: &Request,
    limit: Option<Duration>,
    printer: &mut WatchPrinter,
    out: &mut Box<dyn Write>,
) -> Result<()> {
    let mut query = options.list.clone();
    query.field_selector = field_selector(options, request);
    let accept = if printer.wants_tables() && options.server_print {
        TABLE_ACCEPT
    } else {
        JSON_ACCEPT
    };
    let mut watcher = Watcher::start(
        client,
        ListRequest {
            rt: request.rt.clone(),
            namespace: request.namespace.clone(),
            query,
            accept,
        },
    );
    let mut deadline = None;
    loop {
        let item = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, watcher.next()).await {
                Ok(item) => item?,
                Err(_elapsed) => return Ok(()),
            },
            None => watcher.next().await?,
        };
        if deadline.is_none() {
            deadline = limit.map(|limit| tokio::time::Instant::now() + limit);
        }
        match item {
            // --watch-only skips the first list; a relist (410) shows the current state.
            WatchItem::Listed { page, relist } if relist || !options.watch_only => {
                printer.list_page(&request.rt, page.body, out)?;
            }
            WatchItem::Listed { .. } => {}
            WatchItem::Event { kind, object } => printer.event(kind.as_str(), object, out)?,
        }
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_watches_select_the_name() {
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .expect("pods");
        let request = Request {
            rt,
            namespace: Some("shop".into()),
            names: vec!["web".into()],
        };
        let mut options = Options::from_args(crate::cli::GetArgs {
            args: vec!["pods".into()],
            chunk_size: 500,
            ..Default::default()
        })
        .expect("options");
        assert_eq!(
            field_selector(&options, &request).as_deref(),
            Some("metadata.name=web")
        );
        options.list.field_selector = Some("status.phase=Running".into());
        assert_eq!(
            field_selector(&options, &request).as_deref(),
            Some("status.phase=Running,metadata.name=web")
        );
    }
}
